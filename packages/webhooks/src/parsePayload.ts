// Bytes to a validated event: the one place a webhook body is decoded, parsed and checked against
// the contract. unwrapDelivery runs it on a verified delivery; a receiver runs it again only on bytes
// it reads back from its own storage (after a restart, or a replay), where no earlier result exists.
import { isAscii } from 'node:buffer';
import {
  boundText,
  type ContractError,
  type Envelope,
  type InvalidPayload,
  type KnownEvent,
  validateEvent,
} from '@webhook-contracts/schema';

export type ParsedPayload =
  | { kind: 'event'; event: KnownEvent }
  | { kind: 'unknown_event'; type: string; envelope: Envelope }
  /** Not UTF-8 JSON: the parser's message (bounded) as `detail` and one error at the root. */
  | { kind: 'invalid_json'; detail: string; errors: [ContractError]; cause: unknown }
  /** JSON that breaks the contract; `type` is its `type` when that is a string (null otherwise). */
  | (InvalidPayload & { type: string | null });

// fatal: invalid UTF-8 is not JSON (RFC 8259 requires UTF-8); never silently turn it into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Webhook bodies are almost always ASCII (JSON escapes what is not): checking that takes one SIMD
// pass, and an ASCII body is its own Latin-1 text, read without the UTF-8 decoder's work.
function decodeText(body: Uint8Array): string {
  if (!isAscii(body)) return utf8.decode(body);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return bytes.toString('latin1');
}

/**
 * Decodes a webhook body as UTF-8 JSON and checks it against the event contract. Never throws: a
 * body that is not JSON or breaks the contract is a result, with its errors bounded as the schema
 * package bounds them.
 *
 * @example
 * const parsed = parsePayload(Buffer.from('{"type":"payout.created"}'));
 * if (parsed.kind === 'invalid') console.log(parsed.type, parsed.errors); // 'payout.created', [...]
 */
export function parsePayload(body: Uint8Array): ParsedPayload {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(body));
  } catch (cause) {
    // V8 quotes a little of the body in its message; bounded like every contract error's text.
    const detail = boundText(cause instanceof Error ? cause.message : String(cause));
    const errors: [ContractError] = [{ pointer: '', message: boundText(`invalid JSON: ${detail}`) }];
    return { kind: 'invalid_json', detail, errors, cause };
  }
  const result = validateEvent(value);
  if (result.kind !== 'invalid') return result;
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return { ...result, type: typeof type === 'string' ? type : null };
}
