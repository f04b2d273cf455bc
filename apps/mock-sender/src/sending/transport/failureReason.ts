// One line saying why an attempt did not succeed, for summaries, retry notices and check tables:
// the receiver's error code when it answered in the common `{ error: { code, details } }` shape
// (with the first contract error's pointer and message, when details carries one), else a short
// body excerpt, else the transport error (its message carries the errno, e.g. ECONNREFUSED). The
// answer comes from a receiver the sender does not trust: the line is bounded and holds no
// control characters (a terminal escape in a CI log, a line break faking another line).
import type { AttemptOutcome } from './attemptOutcome.js';

const EXCERPT_CHARS = 80;
/** The longest reason, whatever the answer held. */
export const MAX_REASON_CHARS = 200;

// C0 and C1 controls, DEL included: each becomes a space, then runs of spaces collapse.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

const plain = (text: string) => text.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();

function bounded(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}

/** `/data/id: must be string` from the first `{ pointer, message }` of an error's details. */
function firstPointer(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined;
  const first = details[0] as { pointer?: unknown; message?: unknown } | undefined;
  if (typeof first?.pointer !== 'string') return undefined;
  const pointer = first.pointer === '' ? '(the body)' : first.pointer;
  return typeof first.message === 'string' ? `${pointer}: ${first.message}` : pointer;
}

/**
 * Why an attempt got no 2xx, in one bounded line of plain text.
 *
 * @example
 * failureReason({ kind: 'response', status: 422, latencyMs: 3,
 *   body: '{"error":{"code":"contract_violation","message":"…","details":[{"pointer":"/data/id","message":"must be string"}]}}' });
 * // 'error code contract_violation: /data/id: must be string'
 */
export function failureReason(outcome: AttemptOutcome): string {
  if (outcome.kind !== 'response') return bounded(plain(outcome.message));
  // Cheap pre-check: most error bodies are small JSON; anything else is shown as an excerpt. JSON may
  // start with whitespace (a PHP receiver's stray newline before its output, say).
  if (outcome.body.trimStart().startsWith('{')) {
    try {
      const error = (JSON.parse(outcome.body) as { error?: { code?: unknown; details?: unknown } }).error;
      const code = typeof error?.code === 'string' ? plain(error.code) : '';
      if (code !== '') {
        const pointer = firstPointer(error?.details);
        return bounded(`error code ${code}${pointer === undefined ? '' : `: ${plain(pointer)}`}`);
      }
    } catch {}
  }
  const excerpt = plain(outcome.body).slice(0, EXCERPT_CHARS);
  return excerpt === '' ? 'empty body' : `body: ${excerpt}`;
}
