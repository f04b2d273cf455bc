// Pretty-prints JSON as lines, each tagged with the RFC 6901 pointer of the value it opens, so a
// contract error's pointer can highlight the offending field.
export interface JsonLine {
  depth: number;
  pointer: string;
  key?: string;
  /** The value's text: a scalar, or an opening or closing bracket. */
  text: string;
  kind: 'string' | 'number' | 'literal' | 'bracket';
  comma: boolean;
}

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export function jsonLines(value: unknown): JsonLine[] {
  const out: JsonLine[] = [];
  const walk = (v: unknown, pointer: string, depth: number, key: string | undefined, comma: boolean) => {
    const keyed = key === undefined ? {} : { key };
    if (v !== null && typeof v === 'object') {
      const entries: [string, unknown][] = Array.isArray(v)
        ? v.map((item, i) => [String(i), item])
        : Object.entries(v as Record<string, unknown>);
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      if (entries.length === 0) {
        out.push({ depth, pointer, ...keyed, text: open + close, kind: 'bracket', comma });
        return;
      }
      out.push({ depth, pointer, ...keyed, text: open, kind: 'bracket', comma: false });
      entries.forEach(([k, item], i) => {
        walk(
          item,
          `${pointer}/${escapeSegment(k)}`,
          depth + 1,
          Array.isArray(v) ? undefined : k,
          i < entries.length - 1,
        );
      });
      out.push({ depth, pointer, text: close, kind: 'bracket', comma });
      return;
    }
    const kind = typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'literal';
    out.push({ depth, pointer, ...keyed, text: JSON.stringify(v), kind, comma });
  };
  walk(value, '', 0, undefined, false);
  return out;
}

/**
 * The pointer to highlight for an error: the pointer itself when the payload has it, else its
 * nearest ancestor that exists (a missing required field marks the object that lacks it).
 */
export function presentPointer(lines: readonly JsonLine[], pointer: string): string {
  const known = new Set(lines.map((l) => l.pointer));
  let p = pointer;
  while (!known.has(p) && p !== '') p = p.slice(0, p.lastIndexOf('/'));
  return p;
}

export const covers = (marked: string, pointer: string): boolean =>
  marked === pointer || pointer.startsWith(`${marked}/`);
