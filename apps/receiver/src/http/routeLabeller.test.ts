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
