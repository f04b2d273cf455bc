// A local durable spool: deliveries the store could not commit in time, kept on this instance's
// own disk until the drainer has moved them into the store.
//
// - Append-only segment files `<seq>.seg` (16 digits) of length-prefixed, CRC-32-checked records
//   (spoolRecord.ts). An append resolves only once its bytes are written and fdatasync'd (and, for
//   a new segment, the directory fsync'd): the same promise as a store commit, on local disk.
// - Group fsync: appends that arrive while a write is in flight wait for the next one, and go
//   out as one write and one fdatasync, however many requests they came from.
// - `committed`: the drain position, (segment, offset) with a CRC, rewritten and fdatasync'd after
//   each drained batch. Everything before it is in the store. A segment is deleted once the
//   position has passed its end; a torn or missing position file only means the records after
//   the last good one are drained again, which the store's webhook-id upsert absorbs.
// - Start-up reads every segment from the committed position on, rebuilds the in-memory index
//   (webhook-id → record) and truncates a file at its first torn or corrupt record: a crash during
//   an append leaves at most that record half-written, and it was never acknowledged.
// - A byte budget over all segment files: an append that would pass it is refused (SpoolFullError)
//   and the delivery is answered 503 as before; drained segments free their bytes.
// - `lock` holds the owning process id: one process per spool directory (its drain position and
//   segments are not shared), a lock left by a dead process is taken over.
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { NewDelivery } from '../store/core/Store.js';
import { crc32, decodeRecord, encodeRecord, type SpooledDelivery } from './spoolRecord.js';

/** The spool cannot take this delivery within its byte budget. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
}

export interface SpoolOptions {
  /** The spool's own directory (created if missing). */
  dir: string;
  /** Budget for all segment files together. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size (default maxBytes/8, 4 KiB to 8 MiB). */
  segmentBytes?: number;
}

/** What start-up found. */
export interface SpoolRecovery {
  /** Records not yet in the store, to be drained. */
  records: number;
  /** Bytes cut off the end of segments (a torn or corrupt record and what followed it). */
  truncatedBytes: number;
  /** Segments deleted because the drain position had passed them. */
  deletedSegments: number;
}

/** One spooled record, as the index and the drain queue know it (the body stays on disk). */
export interface SpoolEntry {
  readonly webhookId: string;
  readonly receivedAt: number;
  readonly segment: number;
  readonly offset: number;
  readonly length: number;
  /** In the store already (drained, or the store's own attempt committed after all). */
  done: boolean;
  /** Copies accepted for this webhook-id while it was spooled, itself included. */
  copies: number;
}

/** A record handed to the drainer. */
export interface SpooledRecord {
  entry: SpoolEntry;
  delivery: SpooledDelivery;
}

interface Segment {
  seq: number;
  file: string;
  size: number;
  /** Open for appends (the newest segment only). */
  writer?: fs.FileHandle;
  reader?: fs.FileHandle;
}

interface QueuedAppend {
  webhookId: string;
  receivedAt: number;
  bytes: Buffer;
  resolve: (entry: SpoolEntry) => void;
  reject: (error: unknown) => void;
}

const segmentPattern = /^(\d{16})\.seg$/;
const positionBytes = 20;
const segmentName = (seq: number): string => `${String(seq).padStart(16, '0')}.seg`;

/**
 * The spool of one receiver instance.
 *
 * @example
 * const { spool } = await Spool.open({ dir: '/var/lib/receiver/spool', maxBytes: 1024 ** 3 });
 * const { duplicate } = await spool.append(delivery); // on disk and fdatasync'd
 * const batch = await spool.next(200);
 * // ...insert each batch[i].delivery into the store...
 * await spool.commit(batch.map((r) => r.entry));
 */
export class Spool {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segments = new Map<number, Segment>();
  /** Durable records not yet passed by the drain position, in file order. */
  private readonly entries: SpoolEntry[] = [];
  private head = 0;
  /** Records not yet in the store by webhook-id, durable or still being written. */
  private readonly index = new Map<string, SpoolEntry | Promise<SpoolEntry>>();
  private pendingCount = 0;
  private nextSeq: number;
  private active: Segment | undefined;
  private queue: QueuedAppend[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private position: { seq: number; offset: number };
  private positionFile: fs.FileHandle;
  private positionWrite: Promise<void> = Promise.resolve();
  private broken: Error | undefined;
  /** The last append failed (a full or failing disk); cleared by the next one that succeeds. */
  private writeFailing = false;
  private closed = false;
  private readonly appended = new Set<() => void>();
  private syncs = 0;

  private constructor(
    options: SpoolOptions,
    positionFile: fs.FileHandle,
    position: { seq: number; offset: number },
    nextSeq: number,
  ) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes =
      options.segmentBytes ?? Math.min(8 * 1024 * 1024, Math.max(4096, Math.floor(options.maxBytes / 8)));
    this.positionFile = positionFile;
    this.position = position;
    this.nextSeq = nextSeq;
  }

  /** Opens (or creates) the spool in `dir`, takes its lock and reads what it holds. */
  static async open(options: SpoolOptions): Promise<{ spool: Spool; recovery: SpoolRecovery }> {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) {
      throw new RangeError(`the spool budget must be a whole number of bytes >= 1, got ${options.maxBytes}`);
    }
    const dir = path.resolve(options.dir);
    const created = (await fs.mkdir(dir, { recursive: true })) !== undefined;
    if (created) await syncDirectory(path.dirname(dir));
    await takeLock(dir);
    let positionFile: fs.FileHandle | undefined;
    try {
      positionFile = await fs.open(path.join(dir, 'committed'), fsConstants.O_RDWR | fsConstants.O_CREAT);
      const position = await readPosition(positionFile);
      const names = (await fs.readdir(dir)).filter((n) => segmentPattern.test(n)).sort();
      const seqs = names.map((n) => Number(segmentPattern.exec(n)![1]));
      // Past every segment and the drain position: a new segment numbered below the position would
      // be taken for drained at the next start.
      const nextSeq = Math.max(position.seq, ...seqs, 0) + 1;
      const spool = new Spool({ ...options, dir }, positionFile, position, nextSeq);
      const recovery = await spool.recover(seqs);
      if (created) await syncDirectory(dir);
      return { spool, recovery };
    } catch (error) {
      await positionFile?.close().catch(() => {});
      await releaseLock(dir);
      throw error;
    }
  }

  private async recover(seqs: readonly number[]): Promise<SpoolRecovery> {
    const recovery: SpoolRecovery = { records: 0, truncatedBytes: 0, deletedSegments: 0 };
    for (const seq of seqs) {
      const file = path.join(this.dir, segmentName(seq));
      const from =
        seq < this.position.seq
          ? Number.POSITIVE_INFINITY
          : seq === this.position.seq
            ? this.position.offset
            : 0;
      const bytes = await fs.readFile(file);
      if (from >= bytes.length) {
        await fs.unlink(file);
        recovery.deletedSegments++;
        continue;
      }
      let offset = from;
      while (offset < bytes.length) {
        const read = decodeRecord(bytes, offset);
        if (read.kind !== 'record') break;
        const { webhookId, receivedAt } = read.delivery;
        const entry: SpoolEntry = {
          webhookId,
          receivedAt,
          segment: seq,
          offset,
          length: read.length,
          done: false,
          copies: 1,
        };
        this.entries.push(entry);
        // A webhook-id spooled twice (its first copy's store attempt failed after the second was
        // spooled): both are drained, the store keeps one.
        this.index.set(webhookId, entry);
        this.pendingCount++;
        recovery.records++;
        offset += read.length;
      }
      if (offset < bytes.length) {
        const handle = await fs.open(file, 'r+');
        try {
          await handle.truncate(offset);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        recovery.truncatedBytes += bytes.length - offset;
      }
      this.segments.set(seq, { seq, file, size: offset });
    }
    if (recovery.deletedSegments > 0) await syncDirectory(this.dir);
    return recovery;
  }

  /** fdatasyncs of appended records so far: fewer than appends when concurrent ones were grouped. */
  get appendSyncs(): number {
    return this.syncs;
  }

  /** Records not yet in the store. */
  get depth(): number {
    return this.pendingCount;
  }

  /** Bytes of all segment files. */
  get bytes(): number {
    let total = 0;
    for (const s of this.segments.values()) total += s.size;
    return total;
  }

  /** When the oldest record not yet in the store was received (ms since the epoch), or null. */
  get oldestReceivedAt(): number | null {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (!entry.done) return entry.receivedAt;
    }
    return null;
  }

  /** Whether a delivery of a few KiB would fit in the budget now, and the last append succeeded. */
  get accepting(): boolean {
    return (
      !this.closed &&
      this.broken === undefined &&
      !this.writeFailing &&
      this.bytes + this.queuedBytes + 4096 <= this.maxBytes
    );
  }

  /** The spooled record of this webhook-id, if it is not in the store yet. */
  async find(webhookId: string): Promise<SpoolEntry | undefined> {
    const found = this.index.get(webhookId);
    if (found === undefined) return undefined;
    try {
      return await found;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes the delivery durably; resolves once it is fdatasync'd. A webhook-id already spooled is
   * not written again: it resolves with that record, `duplicate` true and its copies counted.
   * Rejects with SpoolFullError past the budget.
   */
  async append(delivery: NewDelivery): Promise<{ duplicate: boolean; entry: SpoolEntry }> {
    if (this.closed) throw new Error('the spool is closed');
    if (this.broken !== undefined) throw this.broken;
    const existing = await this.find(delivery.webhookId);
    if (existing !== undefined && !existing.done) {
      existing.copies++;
      return { duplicate: true, entry: existing };
    }
    const bytes = encodeRecord(delivery);
    if (this.bytes + this.queuedBytes + bytes.length > this.maxBytes) {
      throw new SpoolFullError(
        `the spool holds ${this.bytes + this.queuedBytes} of its ${this.maxBytes} bytes (SPOOL_MAX_BYTES): it takes more once the store answers and it drains`,
      );
    }
    const written = new Promise<SpoolEntry>((resolve, reject) => {
      this.queue.push({
        webhookId: delivery.webhookId,
        receivedAt: delivery.receivedAt,
        bytes,
        resolve,
        reject,
      });
    });
    this.queuedBytes += bytes.length;
    this.index.set(delivery.webhookId, written);
    this.pump();
    try {
      return { duplicate: false, entry: await written };
    } catch (error) {
      if (this.index.get(delivery.webhookId) === written) this.index.delete(delivery.webhookId);
      throw error;
    }
  }

  /** Calls `listener` after each durable append (the drainer's wake-up); returns its remover. */
  onAppend(listener: () => void): () => void {
    this.appended.add(listener);
    return () => this.appended.delete(listener);
  }

  private pump(): void {
    if (this.writing !== undefined || this.queue.length === 0) return;
    const group = this.queue;
    this.queue = [];
    this.writing = this.writeGroup(group).finally(() => {
      this.writing = undefined;
      this.pump();
    });
  }

  private async writeGroup(group: QueuedAppend[]): Promise<void> {
    const total = group.reduce((n, a) => n + a.bytes.length, 0);
    let segment: Segment | undefined;
    let startSize = 0;
    try {
      if (this.broken !== undefined) throw this.broken;
      segment = await this.writableSegment();
      startSize = segment.size;
      const bytes = Buffer.concat(
        group.map((a) => a.bytes),
        total,
      );
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await segment.writer!.write(
          bytes,
          written,
          bytes.length - written,
          startSize + written,
        );
        written += bytesWritten;
      }
      await segment.writer!.datasync();
      this.syncs++;
    } catch (error) {
      this.queuedBytes -= total;
      this.writeFailing = true;
      // Cut what may have reached the file, so the next group starts on a record boundary.
      if (segment?.writer !== undefined) {
        try {
          await segment.writer.truncate(startSize);
        } catch (truncateError) {
          this.broken = new Error(`the spool cannot write to ${segment.file}`, { cause: truncateError });
        }
      }
      for (const a of group) a.reject(error);
      return;
    }
    this.queuedBytes -= total;
    this.writeFailing = false;
    let offset = startSize;
    for (const a of group) {
      const entry: SpoolEntry = {
        webhookId: a.webhookId,
        receivedAt: a.receivedAt,
        segment: segment.seq,
        offset,
        length: a.bytes.length,
        done: false,
        copies: 1,
      };
      offset += a.bytes.length;
      this.entries.push(entry);
      this.index.set(a.webhookId, entry);
      this.pendingCount++;
      a.resolve(entry);
    }
    segment.size = offset;
    for (const listener of this.appended) listener();
  }

  /** The segment to append to: the active one, or a new one when it is full or absent. */
  private async writableSegment(): Promise<Segment> {
    if (this.active !== undefined && this.active.size < this.segmentBytes) return this.active;
    if (this.active !== undefined) {
      await this.active.writer?.close();
      delete this.active.writer;
      this.active = undefined;
    }
    const seq = this.nextSeq++;
    const file = path.join(this.dir, segmentName(seq));
    const writer = await fs.open(file, 'wx');
    await syncDirectory(this.dir);
    const segment: Segment = { seq, file, size: 0, writer };
    this.segments.set(seq, segment);
    this.active = segment;
    return segment;
  }

  /**
   * Up to `limit` of the oldest records not yet in the store, bodies read from disk. A record that
   * no longer reads back whole (the disk damaged it) is marked done and reported to `onLost`.
   */
  async next(limit: number, onLost?: (entry: SpoolEntry, reason: string) => void): Promise<SpooledRecord[]> {
    const out: SpooledRecord[] = [];
    for (let i = this.head; i < this.entries.length && out.length < limit; i++) {
      const entry = this.entries[i]!;
      if (entry.done) continue;
      const segment = this.segments.get(entry.segment)!;
      segment.reader ??= await fs.open(segment.file, 'r');
      const bytes = Buffer.allocUnsafe(entry.length);
      const { bytesRead } = await segment.reader.read(bytes, 0, entry.length, entry.offset);
      const read = decodeRecord(bytes.subarray(0, bytesRead), 0);
      if (read.kind === 'record') {
        out.push({ entry, delivery: read.delivery });
      } else {
        onLost?.(entry, read.kind === 'torn' ? 'the record is cut short' : read.reason);
        this.settle(entry);
      }
    }
    return out;
  }

  /**
   * The store holds this record's delivery (its own attempt committed after all): nothing to drain.
   * Moves the drain position as commit() does.
   */
  stored(entry: SpoolEntry): Promise<void> {
    return this.commit([entry]);
  }

  private settle(entry: SpoolEntry): void {
    if (entry.done) return;
    entry.done = true;
    this.pendingCount--;
    if (this.index.get(entry.webhookId) === entry) this.index.delete(entry.webhookId);
  }

  /**
   * Marks these records as in the store, moves the drain position past every leading record that
   * is, writes it durably and deletes the segments it has passed.
   */
  async commit(entries: readonly SpoolEntry[]): Promise<void> {
    for (const entry of entries) this.settle(entry);
    let moved = false;
    while (this.head < this.entries.length && this.entries[this.head]!.done) {
      const entry = this.entries[this.head++]!;
      this.position = { seq: entry.segment, offset: entry.offset + entry.length };
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    if (!moved) return;
    const position = this.position;
    this.positionWrite = this.positionWrite.then(() => this.writePosition(position));
    await this.positionWrite;
    await this.deletePassedSegments();
  }

  private async writePosition(position: { seq: number; offset: number }): Promise<void> {
    const bytes = Buffer.alloc(positionBytes);
    bytes.writeBigUInt64BE(BigInt(position.seq), 0);
    bytes.writeBigUInt64BE(BigInt(position.offset), 8);
    bytes.writeUInt32BE(crc32(bytes.subarray(0, 16)), 16);
    await this.positionFile.write(bytes, 0, positionBytes, 0);
    await this.positionFile.datasync();
  }

  private async deletePassedSegments(): Promise<void> {
    const { seq, offset } = this.position;
    let deleted = false;
    for (const segment of [...this.segments.values()]) {
      const passed = segment.seq < seq || (segment.seq === seq && offset >= segment.size);
      if (!passed) continue;
      if (segment === this.active) {
        // Appends in flight would land after the position: keep the segment until they are drained.
        if (this.writing !== undefined || this.queue.length > 0) continue;
        this.active = undefined;
      }
      this.segments.delete(segment.seq);
      await segment.writer?.close();
      await segment.reader?.close();
      await fs.unlink(segment.file);
      deleted = true;
    }
    if (deleted) await syncDirectory(this.dir);
  }

  /** Waits for appends in flight, closes the files and releases the lock. The records stay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing !== undefined) await this.writing;
    await this.positionWrite.catch(() => {});
    for (const segment of this.segments.values()) {
      await segment.writer?.close();
      await segment.reader?.close();
    }
    await this.positionFile.close();
    await releaseLock(this.dir);
  }
}

async function readPosition(file: fs.FileHandle): Promise<{ seq: number; offset: number }> {
  const bytes = Buffer.alloc(positionBytes);
  const { bytesRead } = await file.read(bytes, 0, positionBytes, 0);
  if (bytesRead < positionBytes || crc32(bytes.subarray(0, 16)) !== bytes.readUInt32BE(16)) {
    // Never written, or torn while written: drain everything the segments hold.
    return { seq: 0, offset: 0 };
  }
  return { seq: Number(bytes.readBigUInt64BE(0)), offset: Number(bytes.readBigUInt64BE(8)) };
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Spool directories this process holds (a pid in the lock file cannot tell two of its own apart). */
const heldHere = new Set<string>();

async function takeLock(dir: string): Promise<void> {
  if (heldHere.has(dir)) {
    throw new Error(`the spool directory ${dir} is already open in this process: one spool per directory`);
  }
  await takeLockFile(dir);
  heldHere.add(dir);
}

async function takeLockFile(dir: string): Promise<void> {
  const lock = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `the spool directory ${dir} is in use by process ${owner}: give each receiver instance its own SPOOL_DIR`,
      );
    }
    // Left by a process that is gone (or by this one's previous life, in a container as pid 1).
    await fs.unlink(lock).catch(() => {});
  }
  throw new Error(`could not take the lock of the spool directory ${dir}: another process races for it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(dir: string): Promise<void> {
  heldHere.delete(dir);
  await fs.unlink(path.join(dir, 'lock')).catch(() => {});
}
