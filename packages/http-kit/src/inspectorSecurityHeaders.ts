/** The inspector page's Content-Security-Policy: its own files only, no framing, no forms. */
export const INSPECTOR_CSP =
  "default-src 'self'; connect-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Sent with every file of the inspector page (and the receiver's 404s under it). */
export const inspectorSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': INSPECTOR_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
