/** A status as a coloured pill; `inspector.css` gives each known status its tone. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
