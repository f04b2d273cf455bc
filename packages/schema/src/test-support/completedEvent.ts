// A valid course_lesson_interaction.completed payload: the docs page example, read from the one
// file that holds it, plus api_version_date. Fresh on every call so tests can mutate it.
import { readFileSync } from 'node:fs';

const docsPage = readFileSync(
  new URL(
    '../../../../contracts/examples/course_lesson_interaction.completed/docs-page.json',
    import.meta.url,
  ),
  'utf8',
);

export function completedEvent(): Record<string, unknown> & {
  data: Record<string, unknown> & {
    user: Record<string, unknown>;
    course: Record<string, unknown> & { experience: Record<string, unknown> };
    lesson: Record<string, unknown> & { chapter: Record<string, unknown> };
  };
} {
  const { id, api_version, ...rest } = JSON.parse(docsPage) as ReturnType<typeof completedEvent>;
  return { id, api_version, api_version_date: '2026-07-20', ...rest };
}
