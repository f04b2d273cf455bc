// A valid course_lesson_interaction.completed payload (the docs page example plus
// api_version_date), fresh on every call so tests can mutate it.
export function completedEvent(): Record<string, unknown> & {
  data: Record<string, unknown> & {
    user: Record<string, unknown>;
    course: Record<string, unknown> & { experience: Record<string, unknown> };
    lesson: Record<string, unknown> & { chapter: Record<string, unknown> };
  };
} {
  return {
    id: 'msg_xxxxxxxxxxxxxxxxxxxxxxxx',
    api_version: 'v1',
    api_version_date: '2026-07-20',
    timestamp: '2025-01-01T00:00:00.000Z',
    type: 'course_lesson_interaction.completed',
    data: {
      id: 'crsli_xxxxxxxxxxxx',
      completed: true,
      created_at: '2023-12-01T05:00:00.401Z',
      lesson: {
        id: 'lesn_xxxxxxxxxxxxx',
        title: 'Understanding Candlestick Patterns',
        chapter: { id: 'chap_xxxxxxxxxxxxx' },
      },
      user: { id: 'user_xxxxxxxxxxxxx', name: 'John Doe', username: 'johndoe42' },
      course: {
        id: 'cors_xxxxxxxxxxxxx',
        title: 'Introduction to Technical Analysis',
        experience: { id: 'exp_xxxxxxxxxxxxxx' },
      },
    },
    company_id: 'biz_xxxxxxxxxxxxxx',
  };
}
