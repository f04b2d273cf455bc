import { createRingMemory, RingReader, RingWriter } from './dist/sending/worker/eventRing.js';
const mem = createRingMemory(2*1024*1024);
const w = new RingWriter(mem), r = new RingReader(mem);
const body = 'x'.repeat(590);
for (let round = 0; round < 5; round++) {
  let tw = 0, tr = 0;
  for (let k = 0; k < 20; k++) {
    let t = performance.now();
    for (let i = 0; i < 1000; i++) w.write('msg_abcdefghijklmnopqrstuvwx', body); w.flush();
    tw += performance.now() - t; t = performance.now();
    for (let i = 0; i < 1000; i++) r.next(1000);
    tr += performance.now() - t;
  }
  console.log('write µs', (tw*1000/20000).toFixed(2), 'read µs', (tr*1000/20000).toFixed(2));
}
