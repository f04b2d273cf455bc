import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { INSPECTOR_CSP, loadInspectorAssets } from '@webhook-contracts/http-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectorRoutes } from './inspectorRoutes.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-build-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'assets', 'notes.txt'), 'not served');
  fs.writeFileSync(path.join(dir, 'secret.json'), '{"secret":true}');
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

describe('inspectorRoutes', () => {
  it('serves index.html uncached and under the strict CSP, without a token', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    const res = await fetch(`${url}/inspect/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(INSPECTOR_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<!doctype html><title>x</title>');
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    const res = await fetch(`${url}/inspect/assets/index-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
  });

  it('redirects /inspect to /inspect/ so relative asset URLs resolve', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    const res = await fetch(`${url}/inspect`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/inspect/');
  });

  it('serves only the built list: other files, unknown types and traversal attempts are 404', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    for (const p of [
      '/inspect/secret.json',
      '/inspect/assets/notes.txt',
      '/inspect/assets/..%2fsecret.json',
    ]) {
      const res = await fetch(`${url}${p}`);
      expect(res.status, p).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, p).toBe('not_found');
    }
  });

  it('is off (404 from the app) when the read API has no token', async () => {
    const url = await serve({ enabled: false, assetsDir: fakeBuild() });
    const res = await fetch(`${url}/inspect/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'fallthrough' } });
  });

  it('says how to build the page when the build is missing', async () => {
    const url = await serve({ enabled: true, assetsDir: path.join(os.tmpdir(), 'no-such-inspector-build') });
    const res = await fetch(`${url}/inspect/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'inspector_not_built', message: 'The inspector page is not built: run `npm run build`' },
    });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-build-'));
    expect(loadInspectorAssets(empty).size).toBe(0);
  });

  it('sends every security header with each file, and the type of each asset kind', async () => {
    const dir = fakeBuild();
    const kinds: Record<string, string> = {
      'a.css': 'text/css; charset=utf-8',
      'a.svg': 'image/svg+xml',
      'a.png': 'image/png',
      'a.woff2': 'font/woff2',
    };
    for (const name of Object.keys(kinds)) fs.writeFileSync(path.join(dir, 'assets', name), name);
    const url = await serve({ enabled: true, assetsDir: dir });
    for (const [name, type] of Object.entries(kinds)) {
      const res = await fetch(`${url}/inspect/assets/${name}`);
      expect(res.headers.get('content-type'), name).toBe(type);
      expect(await res.text()).toBe(name);
    }
    const res = await fetch(`${url}/inspect/assets/nothing.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'No inspector file /assets/nothing.js' },
    });
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-security-policy': INSPECTOR_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  it('redirects /inspect with a query to the folder form, and serves /inspect/ with one', async () => {
    const url = await serve({ enabled: true, assetsDir: fakeBuild() });
    const redirected = await fetch(`${url}/inspect?token=x`, { redirect: 'manual' });
    expect(redirected.status).toBe(301);
    expect(redirected.headers.get('location')).toBe('/inspect/');
    const page = await fetch(`${url}/inspect/?token=x`, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!doctype html><title>x</title>');
  });

  it('serves the page of a build that has no assets folder, with the not-built message only when empty', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-build-'));
    fs.writeFileSync(path.join(dir, 'index.html'), 'page');
    const url = await serve({ enabled: true, assetsDir: dir });
    expect(await (await fetch(`${url}/inspect/`)).text()).toBe('page');
    const missing = await fetch(`${url}/inspect/assets/a.js`);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(loadInspectorAssets(path.join(dir, 'nowhere')).size).toBe(0);
    expect([...loadInspectorAssets(dir).keys()]).toEqual(['/']);
  });
});
