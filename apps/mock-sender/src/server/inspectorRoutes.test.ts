import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INSPECTOR_CSP, inspectorRoutes } from './inspectorRoutes.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sender-inspector-build-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>s</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-Zz9.css'), 'body{}');
  fs.writeFileSync(path.join(dir, 'assets', 'readme.md'), 'not served');
  return dir;
}

/** The handler under a server that answers 418 for whatever it leaves alone. */
async function serve(dir: string): Promise<string> {
  const handle = inspectorRoutes(dir);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (handle(req, res, url.pathname)) return;
    res.writeHead(418).end('left alone');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('inspectorRoutes (mock-sender)', () => {
  it('serves the page at / uncached, under the strict CSP and nosniff', async () => {
    const base = await serve(fakeBuild());
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe(INSPECTOR_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<!doctype html><title>s</title>');
  });

  it('serves hashed assets immutable for a year', async () => {
    const base = await serve(fakeBuild());
    const res = await fetch(`${base}/assets/index-Zz9.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('leaves every other path and method to the guarded routes', async () => {
    const base = await serve(fakeBuild());
    for (const p of ['/assets/readme.md', '/index.html', '/assets/..%2findex.html', '/deliveries']) {
      expect((await fetch(`${base}${p}`)).status, p).toBe(418);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(418);
  });

  it('serves nothing when the page is not built', async () => {
    const base = await serve(path.join(os.tmpdir(), 'no-such-sender-inspector'));
    expect((await fetch(`${base}/`)).status).toBe(418);
  });
});
