import { describe, expect, it } from 'vitest';
import { covers, jsonLines, presentPointer } from './jsonLines.ts';

const payload = { id: 'msg_1', data: { completed: 'true', 'a/b': [1, null], empty: {} } };

describe('jsonLines', () => {
  it('prints JSON two spaces deep, each line tagged with the pointer of its value', () => {
    const lines = jsonLines(payload);
    const text = lines
      .map(
        (l) =>
          `${'  '.repeat(l.depth)}${l.key === undefined ? '' : `"${l.key}": `}${l.text}${l.comma ? ',' : ''}`,
      )
      .join('\n');
    expect(text).toBe(JSON.stringify(payload, null, 2));
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
    expect(jsonLines({ s: 'x', n: 1, b: true, z: null }).map((l) => l.kind)).toEqual([
      'bracket',
      'string',
      'number',
      'literal',
      'literal',
      'bracket',
    ]);
  });
});

describe('presentPointer', () => {
  const lines = jsonLines(payload);

  it('keeps a pointer the payload has', () => {
    expect(presentPointer(lines, '/data/completed')).toBe('/data/completed');
  });

  it('falls back to the nearest ancestor for a missing field', () => {
    expect(presentPointer(lines, '/data/user/name')).toBe('/data');
    expect(presentPointer(lines, '/nothing')).toBe('');
  });
});

describe('covers', () => {
  it('covers the pointer itself and what lies under it, not a sibling with the same prefix', () => {
    expect(covers('/data', '/data')).toBe(true);
    expect(covers('/data', '/data/completed')).toBe(true);
    expect(covers('/data', '/database')).toBe(false);
  });
});
