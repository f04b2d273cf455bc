import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../catalog/schemaHelpers.js';
import { EventStatus } from './EventStatus.js';
import { WebhookId } from './WebhookId.js';

/**
 * One line of GET /events/export (NDJSON, oldest first): a stored event's identity and its body
 * as base64, so any body (invalid UTF-8, CRLF) survives the trip. `mock-sender replay` reads it.
 */
export const ExportLine = Type.Object(
  {
    webhook_id: WebhookId,
    type: Nullable(
      Type.String({ description: 'The payload type; null when the body was not JSON with a string type' }),
    ),
    status: EventStatus,
    received_at: Type.String({ format: 'date-time', description: 'When the first delivery was stored' }),
    body_base64: Type.String({
      pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
      description: 'The body exactly as it arrived, base64 (RFC 4648, padded)',
    }),
  },
  { title: 'ExportLine', description: 'One exported event: a line of GET /events/export' },
);
export type ExportLine = Static<typeof ExportLine>;
