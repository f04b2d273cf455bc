/**
 * A query string of the parameters that are set (`''` and `undefined` are left out).
 *
 * @example query({ status: 'failed', type: '', cursor: undefined }) // '?status=failed'
 */
export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
