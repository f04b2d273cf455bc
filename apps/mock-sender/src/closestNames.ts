// "Did you mean" suggestions for a mistyped name: the candidates within a small edit distance,
// closest first.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Up to `limit` candidates close to `name` (a third of its length in edits, at least 3), or that
 * contain it, closest first.
 *
 * @example
 * closestNames('docs-pag', ['docs-page', 'openapi-example']); // ['docs-page']
 */
export function closestNames(name: string, candidates: readonly string[], limit = 3): string[] {
  const budget = Math.max(3, Math.floor(name.length / 3));
  return candidates
    .map((candidate) => ({
      candidate,
      distance: candidate.includes(name) ? 0 : editDistance(name, candidate),
    }))
    .filter((c) => c.distance <= budget)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((c) => c.candidate);
}
