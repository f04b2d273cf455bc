// The webhook-signature header read once into its entries. Each scheme picks its own entries from
// the list (v1 below; another version's verifier filters the same list by its `version`).

/** One `<version>,<signature>` entry of webhook-signature. */
export interface SignatureEntry {
  version: string;
  signature: string;
}

/**
 * The space-separated entries of a webhook-signature value, each split at its first comma. A
 * trailing comma left by `, `-joined duplicate header lines is dropped; a piece without a comma is
 * not an entry and is skipped.
 *
 * @example
 * parseSignatureEntries('v1,abc= v1a,xyz'); // [{ version: 'v1', signature: 'abc=' }, { version: 'v1a', signature: 'xyz' }]
 */
export function parseSignatureEntries(header: string): SignatureEntry[] {
  const entries: SignatureEntry[] = [];
  for (const raw of header.split(' ')) {
    const entry = raw.endsWith(',') ? raw.slice(0, -1) : raw;
    const comma = entry.indexOf(',');
    if (comma < 0) continue;
    entries.push({ version: entry.slice(0, comma), signature: entry.slice(comma + 1) });
  }
  return entries;
}
