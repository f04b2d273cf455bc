// The `route` label of http_request_duration_seconds: the pattern a request path matches, taken
// from the routes as they are declared (never the raw path, whose ids would make a series per event).

/**
 * Makes a function from a request path to the first matching pattern (`:name` matches one segment;
 * one trailing slash is ignored), or `other`.
 *
 * @example
 * const label = routeLabeller(['/events', '/events/:id']);
 * label('/events/msg_1'); // '/events/:id'
 */
export function routeLabeller(patterns: readonly string[]): (path: string) => string {
  const exact = new Set(patterns.filter((p) => !p.includes(':')));
  const withParams = patterns
    .filter((p) => p.includes(':'))
    .map((p) => ({ pattern: p, parts: p.split('/') }));
  return (path) => {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (exact.has(trimmed)) return trimmed;
    const parts = trimmed.split('/');
    for (const { pattern, parts: want } of withParams) {
      if (
        want.length === parts.length &&
        want.every((w, i) => (w.startsWith(':') ? parts[i] !== '' : w === parts[i]))
      ) {
        return pattern;
      }
    }
    return 'other';
  };
}
