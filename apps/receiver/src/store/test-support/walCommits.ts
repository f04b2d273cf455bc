// Counts the commits in an SQLite write-ahead log by reading the file itself: each committing
// transaction ends with one frame whose "database size after commit" field is non-zero. Frames of
// an older log generation (before a checkpoint reset) carry other salts and end the count.
// This is SQLite's own record of commits, not a counter the store keeps.
import * as fs from 'node:fs';

const walHeaderBytes = 32;
const frameHeaderBytes = 24;

/** Commit frames in `<filename>-wal` (0 when there is no log). Read while the store is open. */
export function walCommits(filename: string): number {
  let wal: Buffer;
  try {
    wal = fs.readFileSync(`${filename}-wal`);
  } catch {
    return 0;
  }
  if (wal.length < walHeaderBytes) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (
    let at = walHeaderBytes;
    at + frameHeaderBytes + pageSize <= wal.length;
    at += frameHeaderBytes + pageSize
  ) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return commits;
}
