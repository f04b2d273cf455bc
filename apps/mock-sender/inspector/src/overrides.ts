/**
 * Parses the overrides box, one `path=value` a line, into the `set` object of POST /send. The value
 * is JSON when it parses (`null`, `42`, `"x"`, `{…}`), else the text as a string.
 */
export function parseOverrides(text: string): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0)
      throw new Error(`override line ${i + 1} is "${line}": write path=value, e.g. data.user.name=null`);
    const value = line.slice(eq + 1).trim();
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      // A bare word is a string.
    }
    set[line.slice(0, eq).trim()] = parsed;
  }
  return set;
}
