// The ingest baseline: a bare Express 5 app with the receiver's route that reads the body and
// answers 200 with a small JSON body, doing none of the receiver's work (no verification, no store).
import express from 'express';

const port = Number(process.argv[2]);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/webhooks', (req, res) => {
  req.resume();
  req.once('end', () => {
    res.status(200).json({ status: 'accepted' });
  });
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(port, '127.0.0.1');
