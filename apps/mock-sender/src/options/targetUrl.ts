// The receiver URL every command sends to: an absolute http(s) URL. A host without a scheme
// (`localhost:3100/webhooks`) parses as a URL with the scheme `localhost:`, so it is caught here
// with the fix spelled out. A URL with credentials (`user:password@`) is refused before anything
// echoes it: the sender sends no basic auth (undici drops them, fetch refuses them), so they would
// authenticate nothing and only show in summaries, reports, the delivery log and error messages.
import { SenderConfigError } from '../errors.js';

/** Echoed values are cut here: a message names the value, it does not reproduce a megabyte of it. */
const ECHO_CHARS = 200;
const echo = (text: string) => (text.length > ECHO_CHARS ? `${text.slice(0, ECHO_CHARS)}…` : text);

/**
 * True when the URL text has a `user[:password]@` part: an `@` in the authority, the part after an
 * optional `scheme://` up to the first `/`, `?`, `#` or `\` (which the URL parser also ends it at).
 *
 * @example
 * hasCredentials('https://user:pw@example.test/hooks'); // true
 * hasCredentials('https://example.test/hooks?by=a@b'); // false
 */
export function hasCredentials(text: string): boolean {
  const afterScheme = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = /^[^/?#\\]*/.exec(afterScheme)?.[0] ?? '';
  return authority.includes('@');
}

/**
 * Parses a target URL, or throws a SenderConfigError saying what to pass.
 *
 * @example
 * targetUrl('localhost:3100/webhooks'); // throws: … did you mean http://localhost:3100/webhooks?
 * targetUrl('http://user:pw@localhost:3100/webhooks'); // throws: --to must not carry credentials …
 */
export function targetUrl(to: string | URL, name = '--to'): URL {
  const text = String(to);
  const hint =
    name.replace(/^-+/, '') === 'from'
      ? `pass the source's API token as ${name.startsWith('--') ? '--token' : '`token`'}`
      : 'a receiver is authenticated by the signature alone';
  const withCredentials = () =>
    new SenderConfigError(
      'invalid_option',
      `${name} must not carry credentials (user:password@ in the URL): remove them; the sender sends no basic auth (${hint})`,
    );
  if (typeof to === 'string' && hasCredentials(to)) throw withCredentials();
  if (typeof to === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(to.trim())) {
    throw new SenderConfigError(
      'invalid_option',
      `${name} "${echo(text)}" has no scheme: did you mean http://${echo(text.replace(/^\/+/, ''))}?`,
    );
  }
  let url: URL;
  try {
    url = new URL(to);
  } catch (cause) {
    throw new SenderConfigError(
      'invalid_option',
      `${name} "${echo(text)}" is not a URL: pass e.g. http://localhost:3000/webhooks`,
      undefined,
      { cause },
    );
  }
  if (url.username !== '' || url.password !== '') throw withCredentials();
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SenderConfigError(
      'invalid_option',
      `${name} must be an http(s) URL, got ${echo(url.protocol)}`,
    );
  }
  return url;
}
