import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsExample, docsExampleFile, lessonCompleted } from './docsExample.js';

describe('docsExample', () => {
  it('is the docs example file, fresh on every call', () => {
    const first = docsExample();
    first.data.user.id = 'user_changed';
    expect(docsExample()).toEqual(JSON.parse(readFileSync(docsExampleFile, 'utf8')));
    expect(docsExample().data.user.id).toBe('user_xxxxxxxxxxxxx');
  });

  it('lessonCompleted replaces only the fields given', () => {
    const event = lessonCompleted({ userId: 'user_1', lessonId: 'lesn_2', completed: false });
    expect(event.data.user).toEqual({ id: 'user_1', name: 'John Doe', username: 'johndoe42' });
    expect(event.data.lesson.id).toBe('lesn_2');
    expect(event.data.completed).toBe(false);
    expect(event.data.course.id).toBe('cors_xxxxxxxxxxxxx');
  });
});
