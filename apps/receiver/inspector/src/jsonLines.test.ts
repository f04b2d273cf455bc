import { describe, expect, it } from 'vitest';
import { type JsonLine, jsonLines, jsonString, nestingDepth, presentPointer } from './jsonLines.ts';

const payload = { id: 'msg_1', data: { completed: 'true', 'a/b': [1, null], empty: {} } };

const print = (lines: readonly JsonLine[]) =>
  lines
    .map(
      (l) =>
        `${'  '.repeat(l.depth)}${l.key === undefined ? '' : `${l.key}: `}${l.text}${l.comma ? ',' : ''}`,
    )
    .join('\n');

/** `[[[…]]]`, `depth` arrays deep. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('jsonLines', () => {
  it('prints JSON two spaces deep, each line tagged with the pointer of its value', () => {
    const { lines, total } = jsonLines(payload);
    expect(print(lines)).toBe(JSON.stringify(payload, null, 2));
    expect(total).toBe(lines.length);
    expect(lines.map((l) => l.pointer)).toEqual([
      '',
      '/id',
      '/data',
      '/data/completed',
      '/data/a~1b',
      '/data/a~1b/0',
      '/data/a~1b/1',
      '/data/a~1b',
      '/data/empty',
      '/data',
      '',
    ]);
  });

  it('marks scalars by kind', () => {
    expect(jsonLines({ s: 'x', n: 1, b: true, z: null }).lines.map((l) => l.kind)).toEqual([
      'bracket',
      'string',
      'number',
      'literal',
      'literal',
      'bracket',
    ]);
  });

  it('walks 100 000 levels without recursion, drawing maxDepth of them and a marker for the rest', () => {
    const { lines, total } = jsonLines(nested(100_000), { maxDepth: 5 });
    expect(lines.map((l) => l.text)).toEqual([
      '[',
      '[',
      '[',
      '[',
      '[',
      '[ … 99,995 more levels ]',
      ']',
      ']',
      ']',
      ']',
      ']',
    ]);
    expect(lines[5]).toMatchObject({ kind: 'elided', depth: 5, pointer: '/0/0/0/0/0' });
    expect(total).toBe(11);
  });

  it('says "1 more level" for one hidden level and keeps the key of an elided member', () => {
    const { lines } = jsonLines({ a: { b: [1] } }, { maxDepth: 2 });
    expect(print(lines)).toBe('{\n  "a": {\n    "b": [ … 1 more level ]\n  }\n}');
  });

  it('highlights a marked value and everything inside it, and nothing else', () => {
    const { lines, firstHit } = jsonLines(payload, { marked: new Set(['/data/a~1b']) });
    expect(lines.filter((l) => l.hit).map((l) => l.text)).toEqual(['[', '1', 'null', ']']);
    expect(firstHit).toBe(4);
    // A sibling whose name starts with the marked one is not inside it.
    const { lines: sib } = jsonLines({ data: 1, database: 2 }, { marked: new Set(['/data']) });
    expect(sib.filter((l) => l.hit).map((l) => l.pointer)).toEqual(['/data']);
  });

  it('builds maxLines lines and counts the rest, finding the first hit past them', () => {
    const big = { items: Array.from({ length: 10_000 }, (_, i) => i) };
    const { lines, total, firstHit } = jsonLines(big, { maxLines: 50, marked: new Set(['/items/9000']) });
    expect(lines).toHaveLength(50);
    expect(total).toBe(10_004);
    expect(firstHit).toBe(9002);
  });

  it('highlights 20 000 marked pointers in time linear in the lines (a quadratic pass takes minutes)', () => {
    const items = Array.from({ length: 200_000 }, () => 0);
    const marked = new Set(Array.from({ length: 20_000 }, (_, i) => `/items/${i * 10}`));
    const { lines } = jsonLines({ items }, { marked });
    expect(lines.filter((l) => l.hit)).toHaveLength(20_000);
    expect(lines[2]!.hit).toBe(true);
    expect(lines[3]!.hit).toBe(false);
  });

  it('writes invisible and reordering characters in strings and keys as \\u escapes', () => {
    const { lines } = jsonLines({ 'k\u202E': 'pay\u202Eliaf\u200B\u2028' });
    expect(lines[1]!.key).toBe('"k\\u202e"');
    expect(lines[1]!.text).toBe('"pay\\u202eliaf\\u200b\\u2028"');
    expect(JSON.parse(lines[1]!.text)).toBe('pay\u202Eliaf\u200B\u2028');
  });
});

describe('jsonString', () => {
  it('is JSON.stringify with format characters escaped', () => {
    expect(jsonString('a"b\n')).toBe(JSON.stringify('a"b\n'));
    expect(jsonString('\u2066x\u2069')).toBe('"\\u2066x\\u2069"');
  });
});

describe('nestingDepth', () => {
  it('counts containers on the deepest path, without recursion', () => {
    expect(nestingDepth(1)).toBe(0);
    expect(nestingDepth([])).toBe(1);
    expect(nestingDepth({ a: [1, { b: [] }], c: {} })).toBe(4);
    expect(nestingDepth(nested(200_000))).toBe(200_000);
  });
});

describe('presentPointer', () => {
  it('keeps a pointer the payload has', () => {
    expect(presentPointer(payload, '/data/completed')).toBe('/data/completed');
    expect(presentPointer(payload, '/data/a~1b/1')).toBe('/data/a~1b/1');
    expect(presentPointer(payload, '')).toBe('');
  });

  it('falls back to the nearest ancestor for a missing field', () => {
    expect(presentPointer(payload, '/data/user/name')).toBe('/data');
    expect(presentPointer(payload, '/nothing')).toBe('');
    expect(presentPointer(payload, '/data/a~1b/2')).toBe('/data/a~1b');
    expect(presentPointer(payload, '/data/a~1b/01')).toBe('/data/a~1b');
    expect(presentPointer(payload, '/id/0')).toBe('/id');
  });

  it('stops at the drawn depth: a deeper pointer marks the elided container', () => {
    const deep = nested(3000);
    const pointer = '/0'.repeat(2999);
    expect(presentPointer(deep, pointer, 4)).toBe('/0/0/0/0');
    expect(
      jsonLines(deep, { maxDepth: 4, marked: new Set(['/0/0/0/0']) }).lines.find((l) => l.hit)?.kind,
    ).toBe('elided');
  });

  it('reads a key with ~ and / in it, and a key named like a prototype member only if it is own', () => {
    expect(presentPointer({ 'a~b/c': 1 }, '/a~0b~1c')).toBe('/a~0b~1c');
    expect(presentPointer({}, '/constructor')).toBe('');
  });
});
