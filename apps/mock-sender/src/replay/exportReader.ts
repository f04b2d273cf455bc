// Reads what `replay` sends: NDJSON of the receiver's export lines (`ExportLine`:
// `{"webhook_id","type","status","received_at","body_base64"}`, oldest first) and of plain lines
// (`ReplayLine`: `{"webhook_id","body"}`), a line at a time, each line bounded, so a 100 000-event
// file is read in constant memory. A bad line stops the read with an error naming its line number
// (never its content, which may be anything a source sent back).
import { FormatRegistry } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { ExportLine, isDateTime } from '@webhook-contracts/schema';
import { SenderConfigError } from '../errors.js';
import { ReplayLine } from './ReplayLine.js';

let compiled: TypeCheck<typeof ExportLine> | undefined;
/** Compiled once, on first use: a CLI start that replays nothing does not pay for it. */
const exportLine = () => {
  // TypeBox checks a `format` only once one is registered under its name.
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
  compiled ??= TypeCompiler.Compile(ExportLine);
  return compiled;
};
let compiledPlain: TypeCheck<typeof ReplayLine> | undefined;
const replayLine = () => {
  compiledPlain ??= TypeCompiler.Compile(ReplayLine);
  return compiledPlain;
};

const EXPECTED_SHAPES =
  'expected an export line {"webhook_id","type","status","received_at","body_base64"} or {"webhook_id","body"}';

export interface ExportedEvent {
  webhookId: string;
  /** The payload's `type` ('' when unknown). */
  type: string;
  /** The source receiver's status ('' for a plain line, which has none). */
  status: string;
  /** When the source received it; absent for a plain line. */
  receivedAt?: string;
  /** `received_at` in epoch milliseconds; absent for a plain line. */
  receivedAtMs?: number;
  /** The body exactly as the receiver stored it. */
  body: Buffer;
}

export interface ExportFilter {
  /** Keep only these event types. */
  types?: readonly string[] | undefined;
  /** Keep only these statuses. */
  statuses?: readonly string[] | undefined;
  /** Keep events received at or after this time (epoch ms). */
  sinceMs?: number | undefined;
  /** Keep events received before this time (epoch ms). */
  untilMs?: number | undefined;
}

export interface ExportLimits {
  /** Longest line accepted, in bytes (default 16 MiB: a 10 MiB body in base64 and its fields). */
  maxLineBytes?: number;
  /** Most lines read (default unbounded). */
  maxLines?: number;
  /** Most bytes read (default unbounded). */
  maxBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const invalid = (message: string) => new SenderConfigError('invalid_source', message);

/** Splits a byte stream into lines (without `\n` or a trailing `\r`), holding one line at most. */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer | string>,
  limits: ExportLimits = {},
): AsyncGenerator<{ line: Buffer; number: number }> {
  const maxLine = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  let total = 0;
  const finish = (tail: Buffer) => {
    number++;
    if (limits.maxLines !== undefined && number > limits.maxLines)
      throw invalid(`the source has more than ${limits.maxLines} lines: filter it or split it`);
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    return { line: line.subarray(0, end), number };
  };
  for await (const chunk of source) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (limits.maxBytes !== undefined && total > limits.maxBytes)
      throw invalid(`the source is larger than ${limits.maxBytes} bytes: filter it or split it`);
    let newline = bytes.indexOf(0x0a);
    while (newline >= 0) {
      if (pendingBytes + newline > maxLine)
        throw invalid(`line ${number + 1} is longer than ${maxLine} bytes`);
      yield finish(bytes.subarray(0, newline));
      bytes = bytes.subarray(newline + 1);
      newline = bytes.indexOf(0x0a);
    }
    if (bytes.length > 0) {
      pendingBytes += bytes.length;
      if (pendingBytes > maxLine) throw invalid(`line ${number + 1} is longer than ${maxLine} bytes`);
      // A copy: the chunk's buffer may be reused by the stream once we return it.
      pending.push(Buffer.from(bytes));
    }
  }
  if (pendingBytes > 0) yield finish(Buffer.alloc(0));
}

/** The payload's `type`, when the body is a JSON object with a string one. */
function typeOf(value: unknown): string {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof value === 'object' && typeof type === 'string' ? type : '';
}

/** A plain line -> the event it describes (no status, no time). */
function plainEvent(value: ReplayLine): ExportedEvent {
  if (typeof value.body === 'string') {
    const body = Buffer.from(value.body, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.body);
    } catch {}
    return { webhookId: value.webhook_id, type: typeOf(parsed), status: '', body };
  }
  return {
    webhookId: value.webhook_id,
    type: typeOf(value.body),
    status: '',
    body: Buffer.from(JSON.stringify(value.body)),
  };
}

/** One line (an export line or a plain one) -> the event it describes; throws `invalid_source` naming the line. */
export function parseExportLine(line: Buffer, number: number): ExportedEvent {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    throw invalid(`line ${number} is not JSON: ${EXPECTED_SHAPES}`);
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject && !('body_base64' in (value as object)) && 'body' in (value as object)) {
    if (!replayLine().Check(value)) {
      const first = replayLine().Errors(value).First();
      const where = first === undefined || first.path === '' ? '' : ` at ${first.path.slice(1)}`;
      throw invalid(`line ${number} is not an event to replay${where}: ${EXPECTED_SHAPES}`);
    }
    return plainEvent(value);
  }
  if (!exportLine().Check(value)) {
    const first = exportLine().Errors(value).First();
    if (first?.path === '/received_at' && typeof first.value === 'string') {
      throw invalid(`line ${number}: received_at is not a date`);
    }
    const where = first === undefined || first.path === '' ? '' : ` at ${first.path.slice(1)}`;
    throw invalid(`line ${number} is not an exported event${where}: ${EXPECTED_SHAPES}`);
  }
  const receivedAtMs = Date.parse(value.received_at);
  if (Number.isNaN(receivedAtMs)) throw invalid(`line ${number}: received_at is not a date`);
  return {
    webhookId: value.webhook_id,
    type: value.type ?? '',
    status: value.status,
    receivedAt: value.received_at,
    receivedAtMs,
    body: Buffer.from(value.body_base64, 'base64'),
  };
}

/** Whether an event passes the filter; a plain line (no time) matches no --since/--until. */
export function matches(event: ExportedEvent, filter: ExportFilter): boolean {
  if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(event.status)) return false;
  const at = event.receivedAtMs;
  if (filter.sinceMs !== undefined && (at === undefined || at < filter.sinceMs)) return false;
  if (filter.untilMs !== undefined && (at === undefined || at >= filter.untilMs)) return false;
  return true;
}

/**
 * The events that pass `filter`, in file order. Export lines must be ordered by `received_at` (the
 * export is): an earlier one after a later one stops the read with an error, since replaying out of
 * order would reorder what the receiver saw and sorting would need memory. Plain lines have no time
 * and are sent in file order; a time filter (`since`, `until`) on one is an error, not a silent skip.
 *
 * @example
 * for await (const event of exportedEvents(createReadStream('export.ndjson'), { types: ['payment.succeeded'] })) …
 */
export async function* exportedEvents(
  source: AsyncIterable<Buffer | string>,
  filter: ExportFilter = {},
  limits: ExportLimits = {},
): AsyncGenerator<ExportedEvent> {
  let previous: { at: number; line: number } | undefined;
  for await (const { line, number } of ndjsonLines(source, limits)) {
    if (line.length === 0 || line.toString('utf8').trim() === '') continue;
    const event = parseExportLine(line, number);
    if (event.receivedAtMs === undefined) {
      if (filter.sinceMs !== undefined || filter.untilMs !== undefined)
        throw invalid(
          `line ${number} has no received_at, so --since and --until cannot place it: drop them or give export lines`,
        );
      if (matches(event, filter)) yield event;
      continue;
    }
    if (previous !== undefined && event.receivedAtMs < previous.at) {
      throw invalid(
        `line ${number} was received before line ${previous.line} (received_at out of order): sort the export by received_at`,
      );
    }
    previous = { at: event.receivedAtMs, line: number };
    if (matches(event, filter)) yield event;
  }
}
