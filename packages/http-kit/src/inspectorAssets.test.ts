import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type InspectorAssetsOptions, inspectorAssets } from './inspectorAssets.js';
import { INSPECTOR_CSP } from './inspectorSecurityHeaders.js';
import { loadInspectorAssets } from './loadInspectorAssets.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
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

/** The middleware under a server that answers 418 for whatever it leaves to the next handler. */
async function serve(assetsDir: string, miss: InspectorAssetsOptions['miss']): Promise<string> {
  const handle = inspectorAssets({ assetsDir, miss });
  server = createServer((req, res) => handle(req, res, () => res.writeHead(418).end('left alone')));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('inspectorAssets', () => {
  it('serves index.html at / uncached, under the strict CSP and nosniff, with or without a query', async () => {
    const base = await serve(fakeBuild(), 'next');
    for (const p of ['/', '/?token=x']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe(INSPECTOR_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('<!doctype html><title>x</title>');
    }
  });

  it('serves hashed assets with a year-long immutable cache, and HEAD without a body', async () => {
    const base = await serve(fakeBuild(), 'next');
    const res = await fetch(`${base}/assets/index-AbC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('console.log(1)');
    const head = await fetch(`${base}/assets/index-AbC123.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
    expect(await head.text()).toBe('');
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
    const base = await serve(dir, 'next');
    for (const [name, type] of Object.entries(kinds)) {
      const res = await fetch(`${base}/assets/${name}`);
      expect(res.headers.get('content-type'), name).toBe(type);
      const header = (name: string) => res.headers.get(name);
      expect(header('content-security-policy')).toBe(INSPECTOR_CSP);
      expect([
        header('x-content-type-options'),
        header('x-frame-options'),
        header('referrer-policy'),
      ]).toEqual(['nosniff', 'DENY', 'no-referrer']);
      expect([header('cross-origin-opener-policy'), header('cross-origin-resource-policy')]).toEqual([
        'same-origin',
        'same-origin',
      ]);
      expect(await res.text()).toBe(name);
    }
  });

  it('with miss "next", leaves every other path and method to the next handler', async () => {
    const base = await serve(fakeBuild(), 'next');
    for (const p of [
      '/assets/notes.txt',
      '/index.html',
      '/secret.json',
      '/assets/..%2fsecret.json',
      '/deliveries',
    ]) {
      expect((await fetch(`${base}${p}`)).status, p).toBe(418);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
    const unbuilt = await serve(path.join(os.tmpdir(), 'no-such-inspector-build'), 'next');
    expect((await fetch(`${unbuilt}/`)).status).toBe(418);
  });

  it('with miss "not_found", answers 404 under the security headers for files not in the build', async () => {
    const base = await serve(fakeBuild(), 'not_found');
    for (const p of ['/secret.json', '/assets/notes.txt', '/assets/..%2fsecret.json']) {
      const res = await fetch(`${base}${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.json(), p).toEqual({
        error: { code: 'not_found', message: `No inspector file ${p}` },
      });
      expect(res.headers.get('content-security-policy')).toBe(INSPECTOR_CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
  });

  it('with miss "not_found", says how to build the page when the build is missing', async () => {
    const base = await serve(path.join(os.tmpdir(), 'no-such-inspector-build'), 'not_found');
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'inspector_not_built', message: 'The inspector page is not built: run `npm run build`' },
    });
  });
});

describe('loadInspectorAssets', () => {
  it('maps index.html and the assets of known types, and nothing for a folder without a build', () => {
    const dir = fakeBuild();
    expect([...loadInspectorAssets(dir).keys()].sort()).toEqual(['/', '/assets/index-AbC123.js']);
    expect(loadInspectorAssets(fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-build-'))).size).toBe(0);
    expect(loadInspectorAssets(path.join(dir, 'nowhere')).size).toBe(0);
  });

  it('maps the page of a build that has no assets folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspector-build-'));
    fs.writeFileSync(path.join(dir, 'index.html'), 'page');
    expect([...loadInspectorAssets(dir).keys()]).toEqual(['/']);
    expect(loadInspectorAssets(dir).get('/')?.body.toString()).toBe('page');
  });
});
