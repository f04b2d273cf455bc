/**
 * One clock for every reader, whatever the browser's zone.
 *
 * @example formatTime('2026-12-01T15:20:03.120Z') // '2026-12-01 15:20:03 UTC'
 */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}
