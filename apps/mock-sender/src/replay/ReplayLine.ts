// The plain replay line: what a team whose own service stores webhooks can write for `replay`
// without this receiver's export. `{ "webhook_id": "msg_…", "body": … }`, one per line; `body` is
// the payload as a JSON value (sent as `JSON.stringify` writes it) or a string (sent as its
// UTF-8 bytes, exactly: the way to keep a body's original bytes). Other fields are ignored. The
// receiver's own export line (`ExportLine` in the schema package, `GET /events/export` in the
// OpenAPI document) is read too, in the same file.
import { type Static, Type } from '@sinclair/typebox';
import { WebhookId } from '@webhook-contracts/schema';

export const ReplayLine = Type.Object(
  {
    webhook_id: WebhookId,
    body: Type.Unknown({
      description: 'The payload: a JSON value, or a string sent as its exact UTF-8 bytes',
    }),
  },
  { title: 'ReplayLine', description: 'One event to replay: its webhook-id and its body' },
);
export type ReplayLine = Static<typeof ReplayLine>;
