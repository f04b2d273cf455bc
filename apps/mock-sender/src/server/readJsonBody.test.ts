import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, readJsonBody, requireJsonType } from './readJsonBody.js';

/** A request carrying `chunks` as its body, with `headers`. */
function request(chunks: readonly (string | Buffer)[], headers: Record<string, string> = {}) {
  return Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as never;
}

describe('requireJsonType', () => {
  it('accepts application/json with or without a UTF-8 charset, in any case', () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
    ]) {
      expect(() => requireJsonType(request([], { 'content-type': type })), type).not.toThrow();
    }
  });

  it('refuses anything else with 415 unsupported_media_type', () => {
    for (const type of [
      undefined,
      'text/plain',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
    ]) {
      expect(
        () => requireJsonType(request([], type === undefined ? {} : { 'content-type': type })),
        String(type),
      ).toThrow(expect.objectContaining({ status: 415, code: 'unsupported_media_type' }));
    }
  });
});

describe('readJsonBody', () => {
  it('parses the body across chunks, and reads an empty body as {}', async () => {
    expect(await readJsonBody(request(['{"to":', '"http://x", "generate": 2}']))).toEqual({
      to: 'http://x',
      generate: 2,
    });
    expect(await readJsonBody(request([]))).toEqual({});
    expect(await readJsonBody(request([' \n']))).toEqual({});
  });

  it('refuses a declared or an actual body over 1 MiB with 413 body_too_large', async () => {
    const tooLarge = expect.objectContaining({ status: 413, code: 'body_too_large' });
    await expect(
      readJsonBody(request(['{}'], { 'content-length': String(MAX_BODY_BYTES + 1) })),
    ).rejects.toEqual(tooLarge);
    const half = 'x'.repeat(MAX_BODY_BYTES / 2);
    await expect(readJsonBody(request([`"${half}`, `${half}"`]))).rejects.toEqual(tooLarge);
  });

  it('refuses text that is not JSON, and JSON nested past 64 levels, with 400 invalid_json', async () => {
    await expect(readJsonBody(request(['{"to":']))).rejects.toEqual(
      expect.objectContaining({
        status: 400,
        code: 'invalid_json',
        message: 'the request body is not JSON: send an object of options',
      }),
    );
    await expect(readJsonBody(request(['['.repeat(65), ']'.repeat(65)]))).rejects.toEqual(
      expect.objectContaining({
        status: 400,
        code: 'invalid_json',
        message: expect.stringMatching(/deeper than 64 levels/),
      }),
    );
  });
});
