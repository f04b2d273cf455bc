// One spooled delivery on disk: what insertDelivery needs and nothing else (the kept webhook
// headers the store would keep anyway, never the signature or any other request header).
//
//   u32 payload length | u32 CRC-32 of the payload | payload
//   payload = u32 meta length | meta (UTF-8 JSON) | body (the exact bytes that arrived)
//
// Big-endian. A record whose length runs past the end of the file, or whose checksum does not
// match, is a torn write: the reader stops there and the spool truncates the file at that offset.
import type { EventError, NewDelivery } from '../store/core/Store.js';
import { parseTraceparent } from '../tracing/traceparent.js';

/** Bytes before the payload: its length and its checksum. */
export const recordHeaderBytes = 8;

/** Largest payload a record may declare: anything larger is damage, not a delivery. */
export const maxPayloadBytes = 64 * 1024 * 1024;

const crcTable = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib's), unsigned. */
export function crc32(bytes: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** The delivery as the spool keeps it: a NewDelivery without the parsed event. */
export type SpooledDelivery = Omit<NewDelivery, 'event'>;

interface Meta {
  webhookId: string;
  type: string | null;
  status: NewDelivery['status'];
  headers: Record<string, string>;
  errors: readonly EventError[] | null;
  errorCount?: number;
  receivedAt: number;
  /** The receive span's W3C traceparent, when an SDK made one (checked again when read back). */
  traceparent?: string;
}

/** The record bytes for a delivery. */
export function encodeRecord(delivery: NewDelivery): Buffer {
  const meta: Meta = {
    webhookId: delivery.webhookId,
    type: delivery.type,
    status: delivery.status,
    headers: delivery.headers,
    errors: delivery.errors,
    ...(delivery.errorCount === undefined ? {} : { errorCount: delivery.errorCount }),
    receivedAt: delivery.receivedAt,
    ...(delivery.traceparent === undefined ? {} : { traceparent: delivery.traceparent }),
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const payloadLength = 4 + metaBytes.length + delivery.body.length;
  const record = Buffer.allocUnsafe(recordHeaderBytes + payloadLength);
  record.writeUInt32BE(payloadLength, 0);
  record.writeUInt32BE(metaBytes.length, recordHeaderBytes);
  metaBytes.copy(record, recordHeaderBytes + 4);
  delivery.body.copy(record, recordHeaderBytes + 4 + metaBytes.length);
  record.writeUInt32BE(crc32(record.subarray(recordHeaderBytes)), 4);
  return record;
}

/** What reading a record at some offset found. */
export type ReadRecord =
  | { kind: 'record'; delivery: SpooledDelivery; length: number }
  /** Fewer bytes than a whole record: the file ends inside it. */
  | { kind: 'torn' }
  /** A whole record's bytes whose checksum or contents are wrong. */
  | { kind: 'corrupt'; reason: string };

/** Reads the record starting at `offset` of `bytes`. */
export function decodeRecord(bytes: Buffer, offset: number): ReadRecord {
  if (bytes.length - offset < recordHeaderBytes) return { kind: 'torn' };
  const payloadLength = bytes.readUInt32BE(offset);
  if (payloadLength < 4 || payloadLength > maxPayloadBytes) {
    return { kind: 'corrupt', reason: `a record declares ${payloadLength} bytes` };
  }
  const end = offset + recordHeaderBytes + payloadLength;
  if (end > bytes.length) return { kind: 'torn' };
  const payload = bytes.subarray(offset + recordHeaderBytes, end);
  if (crc32(payload) !== bytes.readUInt32BE(offset + 4))
    return { kind: 'corrupt', reason: 'checksum mismatch' };
  const metaLength = payload.readUInt32BE(0);
  if (4 + metaLength > payload.length) return { kind: 'corrupt', reason: 'metadata runs past the record' };
  let meta: Meta;
  try {
    meta = JSON.parse(payload.subarray(4, 4 + metaLength).toString('utf8')) as Meta;
  } catch {
    return { kind: 'corrupt', reason: 'metadata is not JSON' };
  }
  if (typeof meta.webhookId !== 'string' || typeof meta.receivedAt !== 'number') {
    return { kind: 'corrupt', reason: 'metadata has no webhook id or receive time' };
  }
  // A copy: the file's buffer is dropped once read.
  const body = Buffer.from(payload.subarray(4 + metaLength));
  const delivery: SpooledDelivery = {
    webhookId: meta.webhookId,
    type: meta.type,
    status: meta.status,
    body,
    headers: meta.headers,
    errors: meta.errors,
    ...(meta.errorCount === undefined ? {} : { errorCount: meta.errorCount }),
    receivedAt: meta.receivedAt,
    ...(parseTraceparent(meta.traceparent) === undefined ? {} : { traceparent: meta.traceparent as string }),
  };
  return { kind: 'record', delivery, length: recordHeaderBytes + payloadLength };
}
