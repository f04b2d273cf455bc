import { describe, expect, it } from 'vitest';
import { routeLabeller } from './routeLabeller.js';

describe('routeLabeller', () => {
  const label = routeLabeller(['/webhooks', '/events', '/events/:id', '/events/:id/replay']);

  it('labels a path with the route pattern it matches, ignoring one trailing slash', () => {
    expect(label('/webhooks')).toBe('/webhooks');
    expect(label('/webhooks/')).toBe('/webhooks');
    expect(label('/events')).toBe('/events');
    expect(label('/events/msg_1')).toBe('/events/:id');
    expect(label('/events/msg_1/replay')).toBe('/events/:id/replay');
  });

  it('labels every other path "other", so ids never become series', () => {
    expect(label('/')).toBe('other');
    expect(label('/events/msg_1/other')).toBe('other');
    expect(label('/webhooksx')).toBe('other');
    expect(label('/admin/msg_1')).toBe('other');
  });
});

describe('routeLabeller edge cases', () => {
  const label = routeLabeller(['/', '/events/:id', '/events/:id/replay']);

  it('keeps the root path as it is and trims one trailing slash from a parameter route', () => {
    expect(label('/')).toBe('/');
    expect(label('/events/msg_1/')).toBe('/events/:id');
    expect(label('/events/msg_1/replay/')).toBe('/events/:id/replay');
  });

  it('labels a path with the first pattern it matches, even one spelling out a later pattern', () => {
    const first = routeLabeller(['/items/:id', '/items/:name']);
    expect(first('/items/:name')).toBe('/items/:id');
  });

  it('matches a parameter only to a non-empty segment, and fixed segments only to themselves', () => {
    expect(label('/events/')).toBe('other');
    expect(label('/events//replay')).toBe('other');
    expect(label('/events/msg_1//')).toBe('other');
    expect(label('/admin/msg_1/replay')).toBe('other');
    expect(label('/events/msg_1/replays')).toBe('other');
  });
});
