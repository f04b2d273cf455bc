#!/usr/bin/env node
// `npm run demo`: start the built receiver on a throw-away SQLite store with a generated secret,
// play the built mock sender against it (the docs' examples, then generated events), print what the
// receiver counted and stored, and stop it cleanly. Both programs run from their `dist/` builds as
// separate processes, exactly as a team would run them; scripts/task.mjs installs and builds first.
//
// `npm run demo -- --port 4000` listens on that port (default: any free one, so a second demo or a
// running receiver never collides). DEMO_EVENTS=N changes how many generated events are sent
// (default 300); DEMO_KEEP=1 keeps the temp folder (database and receiver log) for a look afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const receiverMain = join(root, 'apps/receiver/dist/main.js');
const senderCli = join(root, 'apps/mock-sender/dist/cli.js');
const generated = Number(process.env.DEMO_EVENTS ?? 300);

/** The demo's flags: `--port N` (0–65535). A mistake exits 2 with what to pass. */
function demoOptions(argv) {
  const usage = 'usage: npm run demo -- [--port <0-65535>]';
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' } }, strict: true }));
  } catch (error) {
    console.error(`demo: ${error.message}\n${usage}`);
    process.exit(2);
  }
  if (values.port === undefined) return { port: '0' };
  const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    console.error(`demo: --port is "${values.port}": expected a TCP port from 0 to 65535\n${usage}`);
    process.exit(2);
  }
  return { port: String(port) };
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns the receiver with its logs going to `logFile`; resolves with its URL once it listens. */
function startReceiver(env, logFile) {
  const child = spawn(process.execPath, [receiverMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error('the receiver did not start listening within 20 s')),
      20_000,
    );
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/[0-9.]+:\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the receiver exited (${code}) before listening`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    await new Promise((resolve) => log.end(resolve));
    return code;
  };
  return { child, listening, stop };
}

/** Runs the sender CLI; its stderr (seed line, progress bar) goes straight to the terminal. */
function runSender(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [senderCli, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

async function api(base, token, path) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Stored events by status, following the read API's cursor to the end. */
async function eventsByStatus(base, token) {
  const counts = {};
  let cursor = null;
  do {
    const page = await api(
      base,
      token,
      `/events?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const e of page.events) counts[e.status] = (counts[e.status] ?? 0) + 1;
    cursor = page.next_cursor;
  } while (cursor);
  return counts;
}

/** Every (user, course) progress row, following the read API's cursor to the end. */
async function allProgress(base, token) {
  const rows = [];
  let cursor;
  do {
    const page = await api(
      base,
      token,
      `/progress?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    rows.push(...page.progress);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

/** `webhook_deliveries_total{outcome="…"} N` lines of the receiver's /metrics, as { outcome: N }. */
async function deliveriesByOutcome(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const outcomes = {};
  for (const match of text.matchAll(/^webhook_deliveries_total\{outcome="([a-z_]+)"\} (\d+)$/gm)) {
    if (Number(match[2]) > 0) outcomes[match[1]] = Number(match[2]);
  }
  return outcomes;
}

async function main() {
  const options = demoOptions(process.argv.slice(2));
  for (const file of [receiverMain, senderCli]) {
    if (!existsSync(file)) {
      console.error(
        `${relative(root, file)} is missing: run \`npm run demo\` (it builds first) or \`npm run build\``,
      );
      process.exit(1);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'webhook-contracts-demo-'));
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const token = randomBytes(16).toString('hex');
  const logFile = join(dir, 'receiver.log');
  const env = {
    ...process.env,
    WEBHOOK_SECRET: secret,
    RECEIVER_API_TOKEN: token,
    PORT: options.port,
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
    LOG_LEVEL: 'info',
  };

  say('1. Starting the receiver (apps/receiver/dist/main.js) on an embedded SQLite store');
  const receiver = startReceiver(env, logFile);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
  });
  let failed = false;
  try {
    const base = await receiver.listening;
    say(`   listening on ${base} with a fresh whsec_ secret generated for this run (never printed)`);
    say(`   store ${join(dir, 'receiver.sqlite')}`);

    say();
    say(`2. mock-sender send --all-examples --generate ${generated}: the docs' examples, then seeded`);
    say('   generated events, each signed per Standard Webhooks with the same secret');
    const sent = await runSender(
      [
        'send',
        '--to',
        `${base}/webhooks`,
        '--all-examples',
        '--generate',
        String(generated),
        '--concurrency',
        '16',
        '--json',
      ],
      env,
    );
    if (sent.code !== 0) failed = true;
    const summary = JSON.parse(sent.out);
    const statuses = Object.entries(summary.byStatus)
      .map(([status, n]) => `${n}× ${status}`)
      .join(', ');
    say(
      `   ${summary.delivered}/${summary.sent} delivered (${statuses}) in ${(summary.durationMs / 1000).toFixed(1)} s, ` +
        `latency p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms (seed ${summary.seed})`,
    );
    if (interrupted) throw new Error('interrupted');

    say();
    say('3. mock-sender check: the conformance run a CI job would gate on (bad signatures, stale and');
    say('   future timestamps, missing headers, a retry of the same webhook-id, an unknown event type)');
    const checked = await runSender(['check', '--to', `${base}/webhooks`, '--json'], env);
    const report = JSON.parse(checked.out);
    const passedCases = report.results.filter((r) => r.pass).length;
    say(`   ${passedCases}/${report.results.length} cases passed (exit ${checked.code})`);
    for (const r of report.results.filter((result) => !result.pass)) {
      say(`   FAILED: ${r.case}: expected ${r.expected}, got ${r.got}`);
    }
    if (checked.code !== 0) failed = true;
    if (interrupted) throw new Error('interrupted');

    say();
    say("4. The receiver's count of deliveries by outcome (GET /metrics)");
    for (const [outcome, n] of Object.entries(await deliveriesByOutcome(base)))
      say(`   ${outcome.padEnd(19)} ${n}`);

    say();
    say('5. Stored events by status once processing settles (GET /events)');
    const deadline = Date.now() + 20_000;
    let counts = await eventsByStatus(base, token);
    while ((counts.received ?? 0) > 0 && Date.now() < deadline && !interrupted) {
      await sleep(100);
      counts = await eventsByStatus(base, token);
    }
    for (const [status, n] of Object.entries(counts).sort()) say(`   ${status.padEnd(19)} ${n}`);
    if ((counts.received ?? 0) > 0 || (counts.failed ?? 0) > 0) failed = true;

    const progress = await allProgress(base, token);
    const top = [...progress].sort((a, b) => b.completed_lessons - a.completed_lessons).slice(0, 5);
    say();
    say(
      `6. Lesson progress (GET /progress): ${progress.length} (user, course) pairs; the five furthest along:`,
    );
    for (const p of top) {
      say(
        `   ${p.user_id.padEnd(20)} ${p.course_id.padEnd(20)} ${String(p.completed_lessons).padStart(2)} lessons, last ${p.last_completed_at}`,
      );
    }
  } catch (err) {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : err}`);
    failed = true;
  }
  const code = await receiver.stop();
  say();
  say(`7. Stopped the receiver with SIGTERM: it drained and exited (${code}). Nothing is left running.`);
  if (code !== 0) failed = true;
  if (failed || process.env.DEMO_KEEP) say(`   kept ${dir} (receiver.log, receiver.sqlite)`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
