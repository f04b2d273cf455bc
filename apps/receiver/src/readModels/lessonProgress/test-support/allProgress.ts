// Every matching (user, course) pair at once, for tests that compare a whole read model: read
// through listProgress, page by page, as a client of the read API would.
import type { CourseProgress, ProgressQuery, ProgressReader } from '../ProgressReader.js';

/** Every (user, course) pair matching `query`, ordered by user then course. */
export async function allProgress(
  reader: ProgressReader,
  query: ProgressQuery = {},
): Promise<CourseProgress[]> {
  const all: CourseProgress[] = [];
  let cursor: string | null = null;
  do {
    const page = await reader.listProgress({ ...query, limit: 500, ...(cursor === null ? {} : { cursor }) });
    all.push(...page.progress);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}
