// The receiver URL every command sends to: an absolute http(s) URL. A host without a scheme
// (`localhost:3100/webhooks`) parses as a URL with the scheme `localhost:`, so it is caught here
// with the fix spelled out.
import { SenderConfigError } from './errors.js';

/**
 * Parses a target URL, or throws a SenderConfigError saying what to pass.
 *
 * @example
 * targetUrl('localhost:3100/webhooks'); // throws: … did you mean http://localhost:3100/webhooks?
 */
export function targetUrl(to: string | URL, name = '--to'): URL {
  const text = String(to);
  if (typeof to === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(to.trim())) {
    throw new SenderConfigError(
      'invalid_option',
      `${name} "${text}" has no scheme: did you mean http://${text.replace(/^\/+/, '')}?`,
    );
  }
  let url: URL;
  try {
    url = new URL(to);
  } catch (cause) {
    throw new SenderConfigError(
      'invalid_option',
      `${name} "${text}" is not a URL: pass e.g. http://localhost:3000/webhooks`,
      undefined,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SenderConfigError('invalid_option', `${name} must be an http(s) URL, got ${url.protocol}`);
  }
  return url;
}
