/** `2026-12-01 15:20:03 UTC`: one clock for every reader, whatever the browser's zone. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}
