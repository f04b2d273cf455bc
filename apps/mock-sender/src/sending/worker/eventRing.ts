// A single-producer, single-consumer ring of prepared events (webhook-id and body bytes) in shared
// memory, between the generator worker (writer) and the sending thread (reader). The reader takes
// events synchronously, so the run loop's event stream stays a plain iterator; either side blocks
// (Atomics.wait) only when the ring is empty or full. Each record is a 16-byte header (id length,
// body length, signature length, signing time) followed by the id (Latin-1), the body (UTF-8) and
// the signature made ahead, if any (Latin-1); records never straddle the end: the writer leaves a
// wrap mark (or too little room for a header) and goes back to the start.
//
// The two threads run on different cores: each side publishes its position only every PUBLISH_BYTES
// (and before it waits), and each side's words sit on a cache line of their own, so the cores do
// not trade a cache line and a fence for every event.

/** Control words (Int32 indexes), 64 bytes apart: the writer's, the reader's, the shared flag. */
const WRITE = 0;
const READER_WAITING = 1;
const READ = 16;
const WRITER_WAITING = 17;
const CLOSED = 32;
const CONTROL_BYTES = 48 * 4;
const HEADER = 16;

/** Id-length values that mark something other than an event. */
const WRAP = 0xffff_ffff;
const END = 0xffff_fffe;
const FAILED = 0xffff_fffd;

/** How long the writer sleeps at most between checks of a full ring (it is woken sooner). */
const WRITER_WAIT_MS = 200;
/**
 * Once a side waits, it is woken only when this share of the ring is ready for it (or the stream
 * ended): waking it per record would cost a futex call and a thread switch for every event. The
 * writer, ahead most of the time, then fills half the ring in one go; the reader, waiting only at
 * the start or when the writer falls behind, needs a few hundred events to go on with.
 */
const WRITER_WAKE_SHARE = 2;
const READER_WAKE_SHARE = 16;
/** Positions are published after this many bytes (a few dozen events), not after each record. */
const PUBLISH_BYTES = 16 * 1024;

/** What the reader got: an event, the end of the stream, or the writer's failure message. */
export type RingEntry =
  | { kind: 'event'; webhookId: string; body: Buffer; signed: Signed | undefined }
  | { kind: 'end' }
  | { kind: 'failed'; message: string };

/** A `webhook-signature` value made ahead of sending, and the Unix second it signs. */
export interface Signed {
  timestamp: number;
  signature: string;
}

/** Signs an event's bytes as they lie in the ring (the writer's side). */
export type RingSigner = (webhookId: string, body: Buffer) => Signed;

/** The shared memory for a ring holding `capacity` bytes of records. */
export function createRingMemory(capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + capacity);
}

/** Bytes between the read and write positions (the wrap gap counted as used). */
const used = (read: number, write: number, capacity: number) =>
  write >= read ? write - read : capacity - read + write;

class RingView {
  protected readonly control: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly capacity: number;
  /** This side's position, and the one it last published. */
  protected position = 0;
  protected published = 0;

  constructor(memory: SharedArrayBuffer) {
    this.control = new Int32Array(memory, 0, CONTROL_BYTES / 4);
    this.bytes = Buffer.from(memory, CONTROL_BYTES);
    this.capacity = this.bytes.length;
  }

  /** Bytes this side has moved past since it last published its position. */
  protected get unpublished(): number {
    return used(this.published, this.position, this.capacity);
  }
}

/** The producing side: writes records, waiting while the ring is full. */
export class RingWriter extends RingView {
  /** False once the reader asked the writer to stop (the run ended early). */
  get open(): boolean {
    return Atomics.load(this.control, CLOSED) === 0;
  }

  /**
   * @param signer signs each event as written, with at most `signatureRoom` characters.
   */
  constructor(
    memory: SharedArrayBuffer,
    private readonly signer?: RingSigner,
    private readonly signatureRoom = 0,
  ) {
    super(memory);
  }

  /** Writes one event; false when the reader has closed the ring (nothing more is wanted). */
  write(webhookId: string, body: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room for that much is found before writing.
    const room = HEADER + webhookId.length + 3 * body.length + this.signatureRoom;
    const at = this.reserve(room);
    if (at < 0) return false;
    const { bytes, signer } = this;
    const idLength = bytes.write(webhookId, at + HEADER, 'latin1');
    const bodyStart = at + HEADER + idLength;
    const bodyLength = bytes.write(body, bodyStart, 'utf8');
    let end = bodyStart + bodyLength;
    let timestamp = 0;
    let signatureLength = 0;
    if (signer !== undefined) {
      const signed = signer(webhookId, bytes.subarray(bodyStart, end));
      if (signed.signature.length > this.signatureRoom)
        throw new RangeError(`a signature of ${signed.signature.length} characters does not fit its room`);
      timestamp = signed.timestamp;
      signatureLength = bytes.write(signed.signature, end, 'latin1');
      end += signatureLength;
    }
    bytes.writeUInt32LE(idLength, at);
    bytes.writeUInt32LE(bodyLength, at + 4);
    bytes.writeUInt32LE(signatureLength, at + 8);
    bytes.writeUInt32LE(timestamp, at + 12);
    this.position = end;
    if (this.unpublished >= PUBLISH_BYTES) this.publish(false);
    return true;
  }

  /** Publishes what was written so far (the writer otherwise does so every PUBLISH_BYTES). */
  flush(): void {
    this.publish(false);
  }

  /** Marks the end of the stream. */
  end(): void {
    this.mark(END, '');
  }

  /** Ends the stream with a failure the reader throws (its message). */
  fail(message: string): void {
    this.mark(FAILED, message);
  }

  private mark(kind: number, message: string): void {
    const at = this.reserve(HEADER + 3 * message.length);
    if (at < 0) return;
    const length = this.bytes.write(message, at + HEADER, 'utf8');
    this.bytes.writeUInt32LE(kind, at);
    this.bytes.writeUInt32LE(length, at + 4);
    this.bytes.writeUInt32LE(0, at + 8);
    this.bytes.writeUInt32LE(0, at + 12);
    this.position = at + HEADER + length;
    this.publish(true);
  }

  /** Where a record of up to `size` bytes can go, waiting for room; -1 when the ring is closed. */
  private reserve(size: number): number {
    if (size >= this.capacity / READER_WAKE_SHARE) throw new RangeError(`an event of ${size} bytes does not fit the ring`);
    const { control } = this;
    for (;;) {
      if (!this.open) return -1;
      const read = Atomics.load(control, READ);
      const at = this.position;
      // The write position never catches up with the read position: equal means empty.
      if (at >= read) {
        if (at + size < this.capacity) return at;
        if (size < read) {
          if (this.capacity - at >= HEADER) this.bytes.writeUInt32LE(WRAP, at);
          this.position = 0;
          return 0;
        }
      } else if (at + size < read) return at;
      // Full: everything written is published before waiting for the reader to make room.
      this.publish(false);
      Atomics.store(control, WRITER_WAITING, 1);
      if (Atomics.load(control, READ) === read) Atomics.wait(control, READ, read, WRITER_WAIT_MS);
      Atomics.store(control, WRITER_WAITING, 0);
    }
  }

  private publish(final: boolean): void {
    const { control, position } = this;
    this.published = position;
    Atomics.store(control, WRITE, position);
    if (Atomics.load(control, READER_WAITING) === 1) {
      const read = Atomics.load(control, READ);
      if (final || used(read, position, this.capacity) >= this.capacity / READER_WAKE_SHARE) {
        // Cleared here so that the reader is woken once per wait, not on every publish until it runs.
        Atomics.store(control, READER_WAITING, 0);
        Atomics.notify(control, WRITE);
      }
    }
  }
}

/** The consuming side: takes records in order, waiting (blocking) while the ring is empty. */
export class RingReader extends RingView {
  /** The writer's position as last read: records up to it can be taken without asking again. */
  private available = 0;

  /** True when nothing is ready to read now (the writer may still be starting). */
  get empty(): boolean {
    if (this.available !== this.position) return false;
    this.available = Atomics.load(this.control, WRITE);
    return this.available === this.position;
  }

  /**
   * The next entry. Blocks while the ring is empty; throws when nothing arrives for `timeoutMs`
   * (the writer died without a word).
   */
  next(timeoutMs: number): RingEntry {
    const { bytes } = this;
    while (this.empty) this.waitForData(timeoutMs);
    let at = this.position;
    if (this.capacity - at < HEADER || bytes.readUInt32LE(at) === WRAP) at = 0;
    const first = bytes.readUInt32LE(at);
    const second = bytes.readUInt32LE(at + 4);
    const signatureLength = bytes.readUInt32LE(at + 8);
    const start = at + HEADER;
    let entry: RingEntry;
    let end: number;
    if (first === END) {
      entry = { kind: 'end' };
      end = start;
    } else if (first === FAILED) {
      end = start + second;
      entry = { kind: 'failed', message: bytes.toString('utf8', start, end) };
    } else {
      const bodyStart = start + first;
      const bodyEnd = bodyStart + second;
      end = bodyEnd + signatureLength;
      // Copied out: the writer reuses these bytes once the read position passes them.
      entry = {
        kind: 'event',
        webhookId: bytes.toString('latin1', start, bodyStart),
        body: Buffer.from(bytes.subarray(bodyStart, bodyEnd)),
        signed:
          signatureLength === 0
            ? undefined
            : { timestamp: bytes.readUInt32LE(at + 12), signature: bytes.toString('latin1', bodyEnd, end) },
      };
    }
    this.position = end;
    if (this.unpublished >= PUBLISH_BYTES) this.publish();
    return entry;
  }

  /** Tells the writer to stop and wakes it if it waits for room. */
  close(): void {
    Atomics.store(this.control, CLOSED, 1);
    Atomics.notify(this.control, READ);
  }

  private publish(): void {
    const { control, position } = this;
    this.published = position;
    Atomics.store(control, READ, position);
    if (
      Atomics.load(control, WRITER_WAITING) === 1 &&
      this.capacity - used(position, Atomics.load(control, WRITE), this.capacity) >=
        this.capacity / WRITER_WAKE_SHARE
    ) {
      Atomics.store(control, WRITER_WAITING, 0);
      Atomics.notify(control, READ);
    }
  }

  private waitForData(timeoutMs: number): void {
    const { control, position } = this;
    // What was read is published first: the writer may be waiting for that room.
    this.publish();
    Atomics.store(control, READER_WAITING, 1);
    try {
      if (Atomics.load(control, WRITE) !== position) return;
      if (Atomics.wait(control, WRITE, position, timeoutMs) === 'timed-out')
        throw new Error(`the event generator produced nothing for ${timeoutMs} ms`);
    } finally {
      Atomics.store(control, READER_WAITING, 0);
      this.available = Atomics.load(control, WRITE);
    }
  }
}
