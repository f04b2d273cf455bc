import { Clipped } from '@webhook-contracts/inspector-kit';
import type { ProgressPage, ProgressRow } from '@webhook-contracts/schema';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { query } from './api.ts';
import { FilterInput } from './FilterInput.tsx';
import { formatTime } from './format.ts';
import { messageOf, useApi } from './useApi.ts';

/** The (user, course) progress table, filtered by user and course; follows next_cursor when paged. */
export function ProgressView() {
  const api = useApi();
  const [userId, setUserId] = useState('');
  const [courseId, setCourseId] = useState('');
  const [rows, setRows] = useState<ProgressRow[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the latest request may set the table (a late answer for an old filter is dropped).
  const latest = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
      const seq = ++latest.current;
      try {
        const page = await api<ProgressPage>(
          `progress${query({ user_id: userId, course_id: courseId, cursor })}`,
        );
        if (seq !== latest.current) return;
        setRows((before) => (cursor === undefined ? page.progress : [...(before ?? []), ...page.progress]));
        setNextCursor(page.next_cursor ?? null);
        setError(null);
      } catch (err) {
        if (seq !== latest.current) return;
        setRows(null);
        setError(messageOf(err));
      }
    },
    [api, userId, courseId],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <div class="toolbar">
        <FilterInput label="User" placeholder="user_…" onCommit={setUserId} />
        <FilterInput label="Course" placeholder="cors_…" onCommit={setCourseId} />
        <span class="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error !== null && (
        <p class="error" role="alert">
          <Clipped text={error} limit={300} />
        </p>
      )}
      {rows !== null && (
        <div class="table-wrap">
          <table data-testid="progress">
            <thead>
              <tr>
                <th>User</th>
                <th>Course</th>
                <th class="num">Lessons completed</th>
                <th>Last completed</th>
                <th>Lesson ids</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={5} class="empty">
                    No progress recorded for this filter.
                  </td>
                </tr>
              )}
              {rows.map((p) => (
                <tr key={`${p.user_id} ${p.course_id}`}>
                  <td class="mono cell-id">
                    <Clipped text={p.user_id} limit={60} />
                  </td>
                  <td class="mono cell-id">
                    <Clipped text={p.course_id} limit={60} />
                  </td>
                  <td class="num">{p.completed_lessons}</td>
                  <td class="nowrap">{formatTime(p.last_completed_at)}</td>
                  <td class="mono small cell-list">
                    <Clipped text={p.lesson_ids.join(', ')} limit={200} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor !== null && (
        <button type="button" onClick={() => void load(nextCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
