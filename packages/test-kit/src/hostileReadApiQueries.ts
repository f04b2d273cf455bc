// The read API's hostile parameters, one table for every suite that sends them: the router's unit
// test and the built receiver's contract test on both stores. Each names the route, the parameter
// the 400 invalid_query answer must name, and the problem it must report.

export type HostileReadApiQuery = [method: 'GET' | 'POST', path: string, parameter: string, problem: string];

const nul = '%00';

/**
 * A NUL, bytes that are not UTF-8, a broken escape, an over-long or a repeated parameter, in the
 * query and in the path, on every read route.
 *
 * @example
 * for (const [method, path, parameter, problem] of hostileReadApiQueries) {
 *   const res = await fetch(`${url}${path}`, { method, headers: auth });
 *   expect((await res.json()).error.details).toEqual([{ parameter, problem }]);
 * }
 */
export const hostileReadApiQueries: readonly HostileReadApiQuery[] = [
  ['GET', `/events?type=a${nul}b`, 'type', 'nul_character'],
  ['GET', `/events?cursor=a${nul}b`, 'cursor', 'nul_character'],
  ['GET', `/events/a${nul}b`, 'webhook_id', 'nul_character'],
  ['POST', `/events/a${nul}b/replay`, 'webhook_id', 'nul_character'],
  ['GET', `/progress?user_id=a${nul}`, 'user_id', 'nul_character'],
  ['GET', `/progress?course_id=${nul}`, 'course_id', 'nul_character'],
  ['GET', `/progress?course_id=a${nul}`, 'course_id', 'nul_character'],
  ['GET', `/progress?cursor=a${nul}`, 'cursor', 'nul_character'],
  ['GET', `/progress?cursor=a${nul}b`, 'cursor', 'nul_character'],
  ['GET', `/events/export?type=a,b${nul}`, 'type', 'nul_character'],
  ['GET', `/events/export?type=a${nul}b`, 'type', 'nul_character'],
  ['GET', `/events/export?status=failed${nul}`, 'status', 'nul_character'],
  ['GET', `/events/export?status=failed,${nul}`, 'status', 'nul_character'],
  ['GET', `/events/export?since=2026-01-01T00:00:00Z${nul}`, 'since', 'nul_character'],
  ['GET', '/events?type=%FF', 'type', 'invalid_utf8'],
  ['GET', '/events/%FF', 'webhook_id', 'invalid_utf8'],
  ['GET', '/events/%ED%A0%80', 'webhook_id', 'invalid_utf8'],
  ['POST', '/events/%ED%A0%80/replay', 'webhook_id', 'invalid_utf8'],
  ['GET', '/progress?user_id=%ED%A0%80', 'user_id', 'invalid_utf8'],
  ['GET', '/events/export?since=%C0%AF', 'since', 'invalid_utf8'],
  ['GET', '/events/export?until=%C0%AF', 'until', 'invalid_utf8'],
  ['GET', '/events/%ZZ', 'webhook_id', 'malformed_percent_encoding'],
  ['GET', '/events?status=%Z', 'status', 'malformed_percent_encoding'],
  ['GET', '/events?type=a%Z', 'type', 'malformed_percent_encoding'],
  ['GET', `/events?type=${'t'.repeat(257)}`, 'type', 'too_long'],
  ['GET', `/events/${'m'.repeat(257)}`, 'webhook_id', 'too_long'],
  ['GET', `/events/export?type=a,${'t'.repeat(257)}`, 'type', 'too_long'],
  ['GET', `/progress?user_id=${'u'.repeat(257)}`, 'user_id', 'too_long'],
  ['GET', `/progress?cursor=${'c'.repeat(4097)}`, 'cursor', 'too_long'],
  ['GET', '/events?type=a&type=b', 'type', 'repeated'],
  ['GET', '/events?limit=1&limit=2', 'limit', 'repeated'],
  ['GET', '/events/export?since=2026-01-01T00:00:00Z&since=2026-01-01T00:00:00Z', 'since', 'repeated'],
  ['GET', '/events/export?until=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00Z', 'until', 'repeated'],
  ['GET', '/progress?user_id=a&user_id=a', 'user_id', 'repeated'],
  ['GET', '/progress?user_id=a&user_id=b', 'user_id', 'repeated'],
];
