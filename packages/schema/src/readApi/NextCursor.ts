import { type Static, Type } from '@sinclair/typebox';
import { parameterMaxLength } from './readApiLimits.js';

/** Where a paged list goes on: the next page's `cursor`, or null on the last page. */
export const NextCursor = Type.Union([Type.String({ maxLength: parameterMaxLength.cursor }), Type.Null()], {
  description: 'Pass as `cursor` for the next page; null on the last page',
});
export type NextCursor = Static<typeof NextCursor>;
