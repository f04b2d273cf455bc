// Text an attacker wrote (event types, ids, error messages, header values, payload strings), made
// safe to look at: clipped to a bound, and with the characters that change how the text around
// them is displayed, or hide in it, turned into visible marks (bidi overrides and isolates,
// zero-width and other format characters, C0/C1 controls, line and paragraph separators).

/** A run of ordinary text, or one invisible character (by code point) to show as a mark. */
export type Piece = { text: string } | { invisible: number };

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const LINE_BREAKS = new Set(['\t', '\n', '\r']);

/**
 * Splits `text` into ordinary runs and invisible characters. `multiline` keeps tabs and line
 * breaks as text (a raw body shown in a <pre>).
 *
 * @example
 * splitInvisible('pay\u202Eliaf'); // [{ text: 'pay' }, { invisible: 0x202e }, { text: 'liaf' }]
 */
export function splitInvisible(text: string, multiline = false): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  for (const match of text.matchAll(INVISIBLE)) {
    const char = match[0];
    if (multiline && LINE_BREAKS.has(char)) continue;
    if (match.index > from) pieces.push({ text: text.slice(from, match.index) });
    pieces.push({ invisible: char.codePointAt(0)! });
    from = match.index + char.length;
  }
  if (from < text.length || pieces.length === 0) pieces.push({ text: text.slice(from) });
  return pieces;
}

/** `U+202E`: how an invisible character is named on the page. */
export const codePointName = (codePoint: number): string =>
  `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The first `limit` UTF-16 units of `text` (one fewer rather than half a surrogate pair), and
 * whether anything was cut.
 *
 * @example
 * clip('abcdef', 4); // { shown: 'abcd', clipped: true }
 */
export function clip(text: string, limit: number): { shown: string; clipped: boolean } {
  if (text.length <= limit) return { shown: text, clipped: false };
  const last = text.charCodeAt(limit - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
  return { shown: text.slice(0, end), clipped: true };
}

/** Characters as a reader counts them: code points, a surrogate pair being one. */
export function countCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** `20,000`: counts on the page, grouped the same way whatever the browser's locale. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/**
 * Attacker text for a place that takes plain text only (a `title` tooltip): clipped, with its
 * invisible characters written as `U+XXXX`.
 *
 * @example
 * plainVisible('a\u202Eb', 80); // 'aU+202Eb'
 */
export function plainVisible(text: string, limit: number): string {
  const { shown, clipped } = clip(text, limit);
  const marked = splitInvisible(shown)
    .map((piece) => ('text' in piece ? piece.text : codePointName(piece.invisible)))
    .join('');
  return clipped ? `${marked}…` : marked;
}
