// A request body's nesting depth, measured on the text before it is parsed: a megabyte of `[`
// parses, but whatever walks the value recursively afterwards (serialising an event that carries
// it as a `set` value) overflows the stack. Deeper than any option needs is a 400 up front.

/** No option nests deeper than a `set` value inside an event; 64 leaves room to spare. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text opens more than `max` arrays or objects inside one another (brackets
 * inside strings do not count).
 *
 * @example
 * jsonTooDeep('[[1]]', 1); // true
 * jsonTooDeep('["[[["]', 1); // false
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
