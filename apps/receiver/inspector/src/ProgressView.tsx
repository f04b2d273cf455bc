import { Clipped, CursorTable, formatTime, query, useCursorPages } from '@webhook-contracts/inspector-kit';
import type { ProgressPage, ProgressRow } from '@webhook-contracts/schema';
import { useCallback, useState } from 'preact/hooks';
import { FilterInput } from './FilterInput.tsx';

const progressOf = (page: ProgressPage) => page.progress;

const head = [
  <th key="user">User</th>,
  <th key="course">Course</th>,
  <th key="lessons" class="num">
    Lessons completed
  </th>,
  <th key="last">Last completed</th>,
  <th key="ids">Lesson ids</th>,
];

const progressRow = (p: ProgressRow) => (
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
);

/** The (user, course) progress table, filtered by user and course; follows next_cursor when paged. */
export function ProgressView() {
  const [userId, setUserId] = useState('');
  const [courseId, setCourseId] = useState('');
  const path = useCallback(
    (cursor: string | undefined) => `progress${query({ user_id: userId, course_id: courseId, cursor })}`,
    [userId, courseId],
  );
  const pages = useCursorPages(path, progressOf);
  return (
    <CursorTable
      pages={pages}
      filters={
        <>
          <FilterInput label="User" placeholder="user_…" onCommit={setUserId} />
          <FilterInput label="Course" placeholder="cors_…" onCommit={setCourseId} />
        </>
      }
      testId="progress"
      head={head}
      empty="No progress recorded for this filter."
      row={progressRow}
    />
  );
}
