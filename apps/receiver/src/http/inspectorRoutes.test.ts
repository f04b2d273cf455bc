// The receiver's inspector page under /inspect: the folder-form redirect, the page off without a
// read-API token, and the kit's asset route mounted there. What the asset route sends (types,
// caching, every security header) is tested with the route itself (packages/http-kit).
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { INSPECTOR_CSP } from '@webhook-contracts/http-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectorRoutes } from './inspectorRoutes.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A build with a page, one hashed script, and files that must never be served. */
function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-inspector-build-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  for (const [file, text] of [
    ['index.html', '<!doctype html><title>x</title>'],
    ['assets/index-AbC123.js', 'console.log(1)'],
    ['assets/notes.txt', 'not served'],
    ['secret.json', '{"secret":true}'],
  ]) {
    fs.writeFileSync(path.join(dir, file!), text!);
  }
  return dir;
}

async function serve(options: Parameters<typeof inspectorRoutes>[0]): Promise<string> {
  const app = express();
  app.use('/inspect', inspectorRoutes(options));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'fallthrough' } });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The status, and the body's text or its error code, of GET `url`. */
async function answer(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    content: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
  };
}

describe('inspectorRoutes', () => {
  it('serves the page at /inspect/ uncached and under the strict CSP, without a token, and its hashed assets', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    const page = await fetch(`${url}/inspect/`);
    expect([
      page.status,
      page.headers.get('cache-control'),
      page.headers.get('content-security-policy'),
    ]).toEqual([200, 'no-store', INSPECTOR_CSP]);
    expect(await page.text()).toBe('<!doctype html><title>x</title>');
    const script = await fetch(`${url}/inspect/assets/index-AbC123.js`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('redirects /inspect, with or without a query, to /inspect/ so relative asset URLs resolve', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    for (const target of ['/inspect', '/inspect?token=x']) {
      expect(await answer(`${url}${target}`), target).toMatchObject({ status: 301, location: '/inspect/' });
    }
    expect(await answer(`${url}/inspect/?token=x`)).toMatchObject({
      status: 200,
      content: '<!doctype html><title>x</title>',
    });
  });

  it('serves only the built list: other files, unknown types and traversal attempts are 404', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    for (const p of ['/secret.json', '/assets/notes.txt', '/assets/..%2fsecret.json', '/assets/nothing.js']) {
      expect(await answer(`${url}/inspect${p}`), p).toEqual({
        status: 404,
        location: null,
        content: { error: { code: 'not_found', message: `No inspector file ${p}` } },
      });
    }
  });

  it('is off (404 from the app) when the read API has no token', async () => {
    const url = await serve({ enabled: false, assetsDir: fakeBuild() });
    expect((await answer(`${url}/inspect/`)).content).toEqual({
      error: { code: 'not_found', message: 'fallthrough' },
    });
  });

  it('says how to build the page when the build is missing', async () => {
    const url = await serve({ enabled: true, assetsDir: path.join(os.tmpdir(), 'no-such-inspector-build') });
    expect(await answer(`${url}/inspect/`)).toMatchObject({
      status: 404,
      content: {
        error: {
          code: 'inspector_not_built',
          message: 'The inspector page is not built: run `npm run build`',
        },
      },
    });
  });
});
