// The writer thread's entry (SqliteWriter starts it): hands its port to serveSqliteWrites, which
// owns the write connection.
import { parentPort, workerData } from 'node:worker_threads';
import type { WriterData } from './SqliteWriterProtocol.js';
import { serveSqliteWrites } from './SqliteWriterService.js';

if (parentPort === null)
  throw new Error('SqliteWriterWorker must run as a worker thread (SqliteWriter starts it)');
const data = workerData as WriterData;
serveSqliteWrites(parentPort, data.filename, data.outboxRoutes);
