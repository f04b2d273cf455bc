import { type Static, Type } from '@sinclair/typebox';
import { NextCursor } from './NextCursor.js';
import { ProgressRow } from './ProgressRow.js';

/** One page of GET /progress, by user then course. */
export const ProgressPage = Type.Object(
  { progress: Type.Array(ProgressRow), next_cursor: NextCursor },
  { title: 'ProgressPage', description: 'One page of lesson progress, by user then course' },
);
export type ProgressPage = Static<typeof ProgressPage>;
