import { describe, expect, it } from 'vitest';
import { generateEvents } from './generator.js';
import { lessonEventJson } from './lessonEventJson.js';

describe('lessonEventJson', () => {
  it('writes exactly what JSON.stringify writes for generated events, every optional shape included', () => {
    const events = [...generateEvents({ seed: 'json', count: 3_000 })];
    // The shapes the generator makes: api_version_date absent, null or a date; null names and titles.
    expect(events.some((e) => e.api_version_date === undefined)).toBe(true);
    expect(events.some((e) => e.api_version_date === null)).toBe(true);
    expect(events.some((e) => typeof e.api_version_date === 'string')).toBe(true);
    expect(events.some((e) => e.data.user.name === null)).toBe(true);
    expect(events.some((e) => e.data.course.title === null)).toBe(true);
    for (const event of events) expect(lessonEventJson(event)).toBe(JSON.stringify(event));
  });

  it('escapes the top-level id the sender sets and the free text', () => {
    const [event] = [...generateEvents({ seed: 'escape', count: 1 })];
    if (event === undefined) throw new Error('no event generated');
    const odd = {
      ...event,
      id: 'msg_"quoted"\\',
      data: { ...event.data, user: { ...event.data.user, name: 'Zoë "Z" \\ O\'Brien\n' } },
    };
    expect(lessonEventJson(odd)).toBe(JSON.stringify(odd));
    expect(JSON.parse(lessonEventJson(odd))).toEqual(odd);
  });
});
