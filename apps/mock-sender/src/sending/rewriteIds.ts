// Gives each payload its webhook-id: a fresh `msg_…` id by default (so a rerun is not deduplicated
// away), the payload's own with `keepIds`, and never a mended one for an invalid example sent as
// written. Overrides (`--set`) apply after the id.
import { applyOverrides, type Override } from '../payloads/overrides.js';
import { type Payload, safeParse } from './eventSource.js';

export interface Prepared {
  webhookId: string;
  type: string;
  body: Buffer;
  /** True when overrides changed the payload (it may no longer match the contract). */
  changed: boolean;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Gives a payload its fresh id (keeping the file's bytes when it can), then applies overrides. */
export function rewriteIds(
  payload: Payload,
  freshId: string,
  keepIds: boolean,
  overrides: readonly Override[],
): Prepared {
  let value = payload.value;
  let raw = payload.raw;
  if (!keepIds && payload.asWritten !== true && isRecord(value)) {
    const oldId = value['id'];
    if (payload.owned === true) value['id'] = freshId;
    else value = { ...value, id: freshId };
    if (raw !== undefined && typeof oldId === 'string') {
      // Swap the id inside the original text so the rest of the bytes (spacing, `10.0`, escapes)
      // reach the receiver exactly as written in the docs; fall back to re-serialising.
      const text = raw.toString('utf8').replace(JSON.stringify(oldId), JSON.stringify(freshId));
      const reparsed = safeParse(Buffer.from(text));
      raw = isRecord(reparsed) && reparsed['id'] === freshId ? Buffer.from(text) : undefined;
    } else raw = undefined;
  }
  if (overrides.length > 0) {
    value = applyOverrides(value, overrides);
    raw = undefined;
  }
  let body = raw;
  if (body === undefined) {
    // Overrides may have changed the value's shape: only JSON.stringify knows it then.
    const text =
      overrides.length === 0 && payload.serialise !== undefined
        ? payload.serialise(value)
        : JSON.stringify(value);
    body = Buffer.from(text ?? 'null');
  }
  const id =
    payload.asWritten !== true && isRecord(value) && typeof value['id'] === 'string' && value['id'] !== ''
      ? value['id']
      : freshId;
  const type = isRecord(value) && typeof value['type'] === 'string' ? value['type'] : 'unknown';
  return { webhookId: id, type, body, changed: overrides.length > 0 };
}
