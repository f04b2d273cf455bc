import { type Static, Type } from '@sinclair/typebox';

/** The 200 of GET /healthz: the store answered in time. */
export const Health = Type.Object(
  { status: Type.Literal('ok') },
  { title: 'Health', description: 'The receiver and its store are answering' },
);
export type Health = Static<typeof Health>;
