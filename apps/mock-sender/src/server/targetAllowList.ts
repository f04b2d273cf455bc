// SENDER_ALLOWED_TARGETS: the receivers the service may deliver to. An entry matches on the parsed
// origin (scheme, host, port) and then a path prefix ending at a segment boundary, so
// `http://a.com` does not allow `http://a.com.evil.net` and `http://a.com/hooks` does not allow
// `http://a.com/hooks-admin`.

export interface TargetPrefix {
  origin: string;
  /** The path prefix; '/' allows the whole origin. */
  path: string;
}

/**
 * Parses one allow-list entry; returns a message saying what is wrong instead when it is unusable.
 *
 * @example
 * parseTargetPrefix('https://staging.example.com/webhooks'); // { origin: 'https://staging.example.com', path: '/webhooks' }
 */
export function parseTargetPrefix(entry: string): TargetPrefix | string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not a URL: write e.g. https://staging.example.com/webhooks`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${entry}" is not an http(s) URL`;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return `"${entry}" must be scheme://host[:port][/path] only (no credentials, query or fragment)`;
  return { origin: url.origin, path: url.pathname };
}

/**
 * True when `target` falls under one of the prefixes.
 *
 * @example
 * targetAllowed(new URL('http://a.com/hooks/whop'), [{ origin: 'http://a.com', path: '/hooks' }]); // true
 */
export function targetAllowed(target: URL, prefixes: readonly TargetPrefix[]): boolean {
  return prefixes.some((prefix) => {
    if (target.origin !== prefix.origin) return false;
    if (prefix.path.endsWith('/')) return target.pathname.startsWith(prefix.path);
    return target.pathname === prefix.path || target.pathname.startsWith(`${prefix.path}/`);
  });
}
