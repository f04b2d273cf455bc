// The JSON text of a `generateEvents` event, equal to `JSON.stringify(event)` and about three times
// faster (serialising was the largest share of `send --generate` after signing). The generator's
// entity ids are base62 and its timestamps ISO strings, so they are written between quotes as they
// are; the free text (titles, names, the api version date) and the top-level `id`, which the sender
// replaces after generation, still go through JSON.stringify.
import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';

const text = JSON.stringify;

/**
 * `JSON.stringify(event)` for an event from `generateEvents` (whatever its top-level `id`). Not for
 * other objects: their ids and timestamps could need escaping.
 *
 * @example
 * const [event] = generateEvents({ seed: '1', count: 1 });
 * lessonEventJson(event) === JSON.stringify(event); // true
 */
export function lessonEventJson(event: CourseLessonInteractionCompleted): string {
  const { data } = event;
  const { lesson, user, course } = data;
  const versionDate =
    event.api_version_date === undefined ? '' : `"api_version_date":${text(event.api_version_date)},`;
  return (
    `{"id":${text(event.id)},"api_version":"${event.api_version}",${versionDate}` +
    `"timestamp":"${event.timestamp}","type":"${event.type}",` +
    `"data":{"id":"${data.id}","completed":${data.completed},"created_at":"${data.created_at}",` +
    `"lesson":{"id":"${lesson.id}","title":${text(lesson.title)},"chapter":{"id":"${lesson.chapter.id}"}},` +
    `"user":{"id":"${user.id}","name":${text(user.name)},"username":${text(user.username)}},` +
    `"course":{"id":"${course.id}","title":${text(course.title)},"experience":{"id":"${course.experience.id}"}}},` +
    `"company_id":"${event.company_id}"}`
  );
}
