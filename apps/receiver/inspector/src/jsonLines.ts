// Pretty-prints JSON as lines, each tagged with the RFC 6901 pointer of the value it opens, so a
// contract error's pointer can highlight the offending field. The walk keeps its own stack (a body
// of a few KB can nest thousands of levels, more than the call stack holds) and draws no deeper
// than `maxDepth`: a container there becomes one marker line saying how many levels it hides.
// Everything is linear in the size of the value, however many pointers are marked.

export interface JsonLine {
  depth: number;
  pointer: string;
  /** The member's key as JSON text (quoted, escaped), for members of an object. */
  key?: string;
  /** The value's text: a scalar as JSON, an opening or closing bracket, or the depth marker. */
  text: string;
  kind: 'string' | 'number' | 'literal' | 'bracket' | 'elided';
  comma: boolean;
  /** The line is a marked pointer's value, or inside one. */
  hit: boolean;
}

export interface JsonLinesOptions {
  /** Containers this deep are drawn as one marker line (the root is depth 0). */
  maxDepth?: number;
  /** Lines kept; the rest are counted, not built. */
  maxLines?: number;
  /** Pointers whose lines (and the lines inside them) are hits: see presentPointer. */
  marked?: ReadonlySet<string>;
}

export interface JsonLines {
  lines: JsonLine[];
  /** Lines the whole value takes, kept or not. */
  total: number;
  /** Index of the first hit among all lines, or -1. */
  firstHit: number;
}

/** How deep the page draws a payload. Whop's payloads nest about six levels. */
export const MAX_DEPTH = 32;

const escapeSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapeSegment = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

// Characters JSON.stringify leaves raw that reorder or hide text: written as \u escapes, which
// are the same JSON value and cannot make one string display as another.
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A string as JSON text with its invisible characters escaped.
 *
 * @example
 * jsonString('pay\u202Eliaf'); // '"pay\\u202eliaf"'
 */
export const jsonString = (s: string): string =>
  JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object';

/** How many containers deep `value` goes (a scalar 0, `[]` 1, `[[1]]` 2), without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (!isContainer(v)) continue;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (isContainer(child)) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

interface Frame {
  value: object;
  /** An object's keys; null for an array. */
  keys: string[] | null;
  length: number;
  next: number;
  pointer: string;
  depth: number;
  close: string;
  comma: boolean;
  hit: boolean;
}

/**
 * The lines of `value` pretty-printed two spaces deep, as JSON.stringify(value, null, 2) would
 * print them (to `maxDepth`).
 *
 * @example
 * jsonLines({ a: [1] }).lines.map((l) => l.text); // ['{', '[', '1', ']', '}']
 */
export function jsonLines(value: unknown, options: JsonLinesOptions = {}): JsonLines {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const marked = options.marked ?? new Set<string>();
  const lines: JsonLine[] = [];
  let total = 0;
  let firstHit = -1;
  const stack: Frame[] = [];

  const emit = (line: () => JsonLine, hit: boolean) => {
    if (hit && firstHit === -1) firstHit = total;
    if (lines.length < maxLines) lines.push(line());
    total++;
  };

  const visit = (
    v: unknown,
    pointer: string,
    depth: number,
    key: string | undefined,
    comma: boolean,
    inHit: boolean,
  ) => {
    const hit = inHit || marked.has(pointer);
    const keyed = () => (key === undefined ? {} : { key: jsonString(key) });
    if (!isContainer(v)) {
      const kind = typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'literal';
      const text = () => (typeof v === 'string' ? jsonString(v) : String(JSON.stringify(v)));
      emit(() => ({ depth, pointer, ...keyed(), text: text(), kind, comma, hit }), hit);
      return;
    }
    const keys = Array.isArray(v) ? null : Object.keys(v);
    const length = keys === null ? (v as unknown[]).length : keys.length;
    const [open, close] = keys === null ? ['[', ']'] : ['{', '}'];
    if (length === 0) {
      emit(() => ({ depth, pointer, ...keyed(), text: open + close, kind: 'bracket', comma, hit }), hit);
      return;
    }
    if (depth >= maxDepth) {
      const levels = nestingDepth(v);
      const text = `${open} … ${levels.toLocaleString('en-US')} more ${levels === 1 ? 'level' : 'levels'} ${close}`;
      emit(() => ({ depth, pointer, ...keyed(), text, kind: 'elided', comma, hit }), hit);
      return;
    }
    emit(() => ({ depth, pointer, ...keyed(), text: open, kind: 'bracket', comma: false, hit }), hit);
    stack.push({ value: v, keys, length, next: 0, pointer, depth, close, comma, hit });
  };

  visit(value, '', 0, undefined, false, false);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.length) {
      const i = top.next++;
      const key = top.keys === null ? undefined : top.keys[i]!;
      const child =
        key === undefined ? (top.value as unknown[])[i] : (top.value as Record<string, unknown>)[key];
      const segment = key === undefined ? String(i) : escapeSegment(key);
      visit(child, `${top.pointer}/${segment}`, top.depth + 1, key, top.next < top.length, top.hit);
    } else {
      stack.pop();
      const { depth, pointer, close, comma, hit } = top;
      emit(() => ({ depth, pointer, text: close, kind: 'bracket', comma, hit }), hit);
    }
  }
  return { lines, total, firstHit };
}

/**
 * The pointer to highlight for an error: the pointer itself when the payload has it and it is
 * drawn, else its nearest ancestor that is (a missing required field marks the object that lacks
 * it; a value below `maxDepth` marks the marker line). Linear in the pointer's length.
 *
 * @example
 * presentPointer({ data: {} }, '/data/user/name'); // '/data'
 */
export function presentPointer(value: unknown, pointer: string, maxDepth = MAX_DEPTH): string {
  let at = value;
  let present = '';
  let from = 1;
  for (let depth = 0; depth < maxDepth && pointer.startsWith('/', from - 1) && isContainer(at); depth++) {
    const end = pointer.indexOf('/', from);
    const segment = unescapeSegment(pointer.slice(from, end === -1 ? undefined : end));
    if (Array.isArray(at)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment) || Number(segment) >= at.length) break;
      at = at[Number(segment)];
    } else {
      if (!Object.hasOwn(at, segment)) break;
      at = (at as Record<string, unknown>)[segment];
    }
    present += `/${escapeSegment(segment)}`;
    if (end === -1) break;
    from = end + 1;
  }
  return present;
}
