// The least a Node program does to send signed webhooks: `count` POSTs of one body over
// `connections` kept-alive sockets, each signed afresh (a new webhook-id, timestamp and HMAC-SHA256
// signature), written as one buffer, its answer framed by Content-Length. No generation, contract
// check, retry, timeout or summary. Plain JavaScript, so it starts as the built sender does: the
// sender benchmark times it the same way (spawn to exit) to show what any Node client reaches on
// this machine. Prints {"delivered":N} and exits 0, or names what went wrong and exits 1.
//
// usage: node minimalSender.mjs URL COUNT CONNECTIONS BODY_BASE64
import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';

const [urlText, countText, connectionsText, bodyBase64] = process.argv.slice(2);
const url = new URL(urlText ?? '');
const count = Number(countText);
const connections = Number(connectionsText);
if (url.protocol !== 'http:' || !(count > 0) || !(connections > 0) || bodyBase64 === undefined) {
  process.stderr.write('usage: node minimalSender.mjs URL COUNT CONNECTIONS BODY_BASE64\n');
  process.exit(1);
}
const body = Buffer.from(bodyBase64, 'base64');
const key = randomBytes(32);
const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

let started = 0;
let delivered = 0;
let open = 0;

function fail(message) {
  process.stderr.write(`minimal sender: ${message}\n`);
  process.exit(1);
}

function request() {
  const id = `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  const head =
    `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n` +
    `content-length: ${body.length}\r\nwebhook-id: ${id}\r\nwebhook-timestamp: ${timestamp}\r\n` +
    `webhook-signature: v1,${signature}\r\n\r\n`;
  const bytes = Buffer.allocUnsafe(head.length + body.length);
  bytes.write(head, 0, 'latin1');
  body.copy(bytes, head.length);
  return bytes;
}

function run() {
  const socket = connect(Number(url.port || 80), url.hostname);
  socket.setNoDelay(true);
  open++;
  let pending = Buffer.alloc(0);
  let waiting = false;
  const next = () => {
    if (started >= count) {
      socket.end();
      return;
    }
    started++;
    waiting = true;
    socket.write(request());
  };
  socket.on('connect', next);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const end = pending.indexOf(HEAD_END);
    if (end < 0) return;
    const head = pending.toString('latin1', 0, end);
    const length = CONTENT_LENGTH.exec(head);
    if (length === null) fail(`an answer without Content-Length: ${head.split('\r\n')[0]}`);
    const total = end + HEAD_END.length + Number(length[1]);
    if (pending.length < total) return;
    const status = Number(head.slice(9, 12));
    if (status < 200 || status > 299) fail(`the sink answered ${status}`);
    pending = pending.subarray(total);
    waiting = false;
    delivered++;
    next();
  });
  socket.on('error', (error) => fail(`connection error: ${error.message}`));
  socket.on('close', () => {
    if (waiting) fail('the sink closed a connection with a request in flight');
    open--;
    if (open === 0) {
      if (delivered !== count) fail(`delivered ${delivered} of ${count}`);
      process.stdout.write(`${JSON.stringify({ delivered })}\n`);
    }
  });
}

for (let i = 0; i < Math.min(connections, count); i++) run();
