// The forwarding benchmark's HTTP destination: a bare node:http server that reads each POST body,
// answers 200 and counts it; GET /count answers the count. Listens on the port given as the first
// argument.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let received = 0;
createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(String(received));
    return;
  }
  req.resume();
  req.once('end', () => {
    received += 1;
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
}).listen(port, '127.0.0.1');
