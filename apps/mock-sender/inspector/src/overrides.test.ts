import { describe, expect, it } from 'vitest';
import { parseOverrides } from './overrides.ts';

describe('parseOverrides', () => {
  it('reads one path=value a line, the value as JSON when it parses, else as text', () => {
    expect(
      parseOverrides('data.user.name=null\n\n data.completed = false \ndata.user.username=jo=e\ndata.n=42'),
    ).toEqual({
      'data.user.name': null,
      'data.completed': false,
      'data.user.username': 'jo=e',
      'data.n': 42,
    });
  });

  it('names the line that has no path', () => {
    expect(() => parseOverrides('data.a=1\n=2')).toThrow('override line 2 is "=2": write path=value');
    expect(() => parseOverrides('no-equals-sign')).toThrow('override line 1');
  });
});
