// Counts shown compactly on the page: a summary's tallies (answers, types) can hold up to 64 keys.

/** Types named before the rest are summed up. */
export const NAMED = 4;

/** The largest counts first (ties by name), the first `named` of them, and what the rest add up to. */
export function compactCounts(
  counts: Record<string, number>,
  named = NAMED,
): { shown: [string, number][]; rest: { keys: number; total: number } } {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const rest = entries.slice(named);
  return {
    shown: entries.slice(0, named),
    rest: { keys: rest.length, total: rest.reduce((sum, [, n]) => sum + n, 0) },
  };
}

/** How many of each type, from a list of stored events. */
export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
