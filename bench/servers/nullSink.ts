// The null sink: a bare node:http server that reads each body and answers 200 with nothing else.
// Prints nothing; listens on the port given as the first argument.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
}).listen(port, '127.0.0.1');
