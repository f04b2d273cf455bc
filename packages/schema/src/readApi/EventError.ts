import { type Static, Type } from '@sinclair/typebox';

/** One contract error of a stored or answered delivery: the field (JSON pointer) and the rule. */
export const EventError = Type.Object(
  {
    pointer: Type.String({
      description: "RFC 6901 JSON pointer to the offending value; '' is the payload itself",
      examples: ['/data/user/username'],
    }),
    message: Type.String({ description: 'What the value must be', examples: ['must be string'] }),
  },
  { title: 'EventError', description: 'One broken rule of the contract' },
);
export type EventError = Static<typeof EventError>;
