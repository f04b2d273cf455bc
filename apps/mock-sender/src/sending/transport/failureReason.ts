// One line saying why an attempt did not succeed, for summaries, retry notices and check tables:
// the receiver's error code when it answered in the common `{ error: { code } }` shape, else a
// short body excerpt, else the transport error (its message carries the errno, e.g. ECONNREFUSED).
import type { AttemptOutcome } from './attemptOutcome.js';

const EXCERPT_CHARS = 80;

export function failureReason(outcome: AttemptOutcome): string {
  if (outcome.kind !== 'response') return outcome.message;
  // Cheap pre-check: most error bodies are small JSON; anything else is shown as an excerpt. JSON may
  // start with whitespace (a PHP receiver's stray newline before its output, say).
  if (outcome.body.trimStart().startsWith('{')) {
    try {
      const code = (JSON.parse(outcome.body) as { error?: { code?: unknown } }).error?.code;
      if (typeof code === 'string' && code !== '') return `error code ${code}`;
    } catch {}
  }
  const excerpt = outcome.body.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
  return excerpt === '' ? 'empty body' : `body: ${excerpt}`;
}
