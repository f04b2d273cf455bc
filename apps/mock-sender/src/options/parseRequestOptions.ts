// The JSON bodies of `POST /send` and `POST /check` -> `send()`/`check()` options. The request
// schemas (with serve's bounds) check every field; every problem is collected into `details` so a
// caller fixes them all at once. One rule spans fields and so lives here: the run's size.
import type { CheckOptions } from '../check/check.js';
import { SenderConfigError } from '../errors.js';
import { parseEventTypes } from '../generators/eventTypes.js';
import { docsExamples, loadExamples } from '../payloads/examples.js';
import { sourceKind } from '../replay/openSource.js';
import type { ReplayOptions } from '../replay/replay.js';
import type { SendOptions } from '../sending/send.js';
import { type FieldProblem, type RequestValidator, requestValidators } from './requestProblems.js';
import { type CheckRequest, REQUEST_LIMITS, type ReplayRequest, type SendRequest } from './SendRequest.js';
import { hasCredentials } from './targetUrl.js';

export type { FieldProblem } from './requestProblems.js';
export { REQUEST_LIMITS } from './SendRequest.js';

function parseFields(
  body: unknown,
  validator: RequestValidator,
  what: string,
  extraChecks: (record: Record<string, unknown>, problems: FieldProblem[]) => void = () => {},
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SenderConfigError('invalid_request', `the ${what} body must be a JSON object of options`);
  }
  const record = body as Record<string, unknown>;
  const problems = validator.problems(record);
  if (problems.length === 0) {
    checkNoCredentials(record, problems);
    extraChecks(record, problems);
  }
  if (problems.length > 0) {
    throw new SenderConfigError(
      'invalid_request',
      `invalid ${what} options: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return record;
}

/**
 * A `to` with `user:password@` is refused, never echoed: the sender sends no basic auth, so the
 * credentials would authenticate nothing and only show in the summary and GET /deliveries.
 */
function checkNoCredentials(record: Record<string, unknown>, problems: FieldProblem[]): void {
  if (typeof record['to'] === 'string' && hasCredentials(record['to']))
    problems.push({
      field: 'to',
      message:
        'must not carry credentials (user:password@): remove them; a receiver is authenticated by the signature alone',
    });
}

/** `set` paths are echoed in override errors and warnings: each is bounded like the other strings. */
function checkSetPaths(record: Record<string, unknown>, problems: FieldProblem[]): void {
  const set = record['set'];
  if (typeof set !== 'object' || set === null) return;
  const { maxPathLength } = REQUEST_LIMITS.set;
  if (Object.keys(set).some((path) => path.length > maxPathLength))
    problems.push({ field: 'set', message: `paths must be at most ${maxPathLength} characters` });
}

/**
 * duplicates × (examples + generate) is the run's size: bounded as a whole, so neither factor can
 * multiply the other past the limit.
 */
function checkDeliveryCount(record: Record<string, unknown>, problems: FieldProblem[]): void {
  const example = record['example'];
  const generate = record['generate'] as number | undefined;
  // Like send(): the docs examples go out when asked for, or when no other source is given.
  const examples = Array.isArray(example)
    ? example.length
    : typeof example === 'string'
      ? 1
      : record['allExamples'] === true || generate === undefined
        ? docsExampleCount()
        : 0;
  const sources = examples + (generate ?? 0);
  const duplicates = (record['duplicates'] as number | undefined) ?? 1;
  const { max } = REQUEST_LIMITS.deliveries;
  if (sources * duplicates > max) {
    problems.push({
      field: 'duplicates',
      message: `duplicates × events (${duplicates} × ${sources}) must be at most ${max} deliveries: split the run`,
    });
  }
}

let docsCount: number | undefined;
function docsExampleCount(): number {
  docsCount ??= docsExamples(loadExamples()).length;
  return docsCount;
}

export type ParsedSendRequest = Omit<SendOptions, 'secret'> & Pick<SendRequest, 'secret' | 'wait'>;

/** `POST /send` body -> send() options (without the secret when the body gives none). */
export function parseSendRequest(body: unknown): ParsedSendRequest {
  const { type, ...options } = parseFields(body, requestValidators.send, 'POST /send', (record, problems) => {
    checkSetPaths(record, problems);
    checkDeliveryCount(record, problems);
  }) as SendRequest;
  // `type` is the CLI's --type: one type, a comma list or "all" (or an array of types).
  const types =
    type === undefined ? undefined : parseEventTypes(Array.isArray(type) ? type.join(',') : String(type));
  return { ...options, ...(types ? { types } : {}) };
}

export type ParsedCheckRequest = Omit<CheckOptions, 'secret'> & Pick<CheckRequest, 'secret' | 'wait'>;

/** `POST /check` body -> check() options (without the secret when the body gives none). */
export function parseCheckRequest(body: unknown): ParsedCheckRequest {
  return parseFields(body, requestValidators.check, 'POST /check') as CheckRequest;
}

export type ParsedReplayRequest = Omit<ReplayOptions, 'secret' | 'token'> &
  Pick<ReplayRequest, 'secret' | 'wait' | 'token'>;

/** serve reads only URLs: a path would let a request read the service's own files. */
function checkSourceIsUrl(record: Record<string, unknown>, problems: FieldProblem[]): void {
  const from = String(record['from']);
  const url = URL.canParse(from) ? new URL(from) : undefined;
  if (sourceKind(from) !== 'url')
    problems.push({
      field: 'from',
      message: 'must be an http(s) receiver URL: serve reads no files or stdin',
    });
  else if (hasCredentials(from) || (url !== undefined && (url.username !== '' || url.password !== '')))
    problems.push({
      field: 'from',
      message: 'must not carry credentials: pass the receiver token as `token`',
    });
}

const names = (value: string | string[] | undefined) =>
  value === undefined
    ? undefined
    : (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== '');

/** `POST /replay` body -> replay() options (without the secret and token when the body gives none). */
export function parseReplayRequest(body: unknown): ParsedReplayRequest {
  const { type, status, ...options } = parseFields(
    body,
    requestValidators.replay,
    'POST /replay',
    checkSourceIsUrl,
  ) as ReplayRequest;
  const types = names(type);
  const statuses = names(status);
  return { ...options, ...(types ? { type: types } : {}), ...(statuses ? { status: statuses } : {}) };
}
