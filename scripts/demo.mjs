#!/usr/bin/env node
// `npm run demo`: start the receiver on a throw-away SQLite store, play the sender against it with
// the docs' examples and generated events, print what the receiver stored, and stop cleanly.
// Everything runs from the built `dist/` programs, exactly as a team would run them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const receiverMain = join(root, 'apps/receiver/dist/main.js');
const senderCli = join(root, 'apps/mock-sender/dist/cli.js');
const generated = Number(process.env.DEMO_EVENTS ?? 300);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, child, deadlineMs = 15_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the receiver exited early (code ${child.exitCode})`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the receiver did not answer ${url}/healthz within ${deadlineMs} ms`);
}

function runSender(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [senderCli, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function api(base, token, path) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function countByStatus(base, token) {
  const counts = {};
  let cursor;
  do {
    const page = await api(
      base,
      token,
      `/events?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const e of page.events) counts[e.status] = (counts[e.status] ?? 0) + 1;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return counts;
}

async function main() {
  mkdirSync(join(root, '.data'), { recursive: true });
  const dir = mkdtempSync(join(root, '.data', 'demo-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const token = randomBytes(16).toString('hex');
  const logFile = join(dir, 'receiver.log');
  const env = {
    ...process.env,
    WEBHOOK_SECRET: secret,
    RECEIVER_API_TOKEN: token,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: join(dir, 'receiver.sqlite'),
    LOG_LEVEL: 'info',
  };

  console.log('1. Starting the receiver on an embedded SQLite store');
  console.log(`   ${base}/webhooks  (store ${env.DATABASE_URL}, log ${logFile})`);
  const log = openSync(logFile, 'a');
  const receiver = spawn(process.execPath, [receiverMain], { env, stdio: ['ignore', log, log] });
  let exitCode = 0;
  try {
    await waitForHealth(base, receiver);

    console.log("\n2. Sending the docs' examples, signed as the sender signs them");
    const examples = await runSender(['send', '--to', `${base}/webhooks`, '--all-examples', '--json'], env);
    const exSummary = JSON.parse(examples.out);
    console.log(`   ${exSummary.delivered}/${exSummary.sent} delivered in ${exSummary.attempts} attempts`);

    console.log(
      `\n3. Sending ${generated} generated events (seeded, realistic, each validated before sending)`,
    );
    const gen = await runSender(
      ['send', '--to', `${base}/webhooks`, '--generate', String(generated), '--concurrency', '16', '--json'],
      env,
    );
    const genSummary = JSON.parse(gen.out);
    const l = genSummary.latencyMs ?? {};
    console.log(
      `   ${genSummary.delivered}/${genSummary.sent} delivered, ${genSummary.attempts} attempts, ` +
        `latency p50 ${l.p50} ms, p99 ${l.p99} ms`,
    );

    console.log('\n4. What the receiver stored (read API)');
    const deadline = Date.now() + 15_000;
    let counts = await countByStatus(base, token);
    while ((counts.received ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      counts = await countByStatus(base, token);
    }
    for (const [status, n] of Object.entries(counts).sort()) console.log(`   ${status.padEnd(12)} ${n}`);

    const { progress } = await api(base, token, '/progress');
    const top = [...progress].sort((a, b) => b.completed_lessons - a.completed_lessons).slice(0, 5);
    console.log(`\n5. Lesson progress: ${progress.length} (user, course) pairs; the five furthest along:`);
    for (const p of top) {
      console.log(
        `   ${p.user_id.padEnd(22)} ${p.course_id.padEnd(22)} ${String(p.completed_lessons).padStart(3)} lessons, last ${p.last_completed_at}`,
      );
    }
    if (examples.code !== 0 || gen.code !== 0) exitCode = 1;
  } catch (err) {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : err}`);
    console.error(`the receiver's log is in ${logFile}`);
    exitCode = 1;
  } finally {
    receiver.kill('SIGTERM');
    await new Promise((r) => (receiver.exitCode !== null ? r() : receiver.once('exit', r)));
  }
  console.log(`\n6. Stopped the receiver (exit ${receiver.exitCode}). Nothing is left running.`);
  if (exitCode === 0 && !process.env.DEMO_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`   kept ${dir}`);
  process.exit(exitCode);
}

main();
