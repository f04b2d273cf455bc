// GET /events/export's body: stored events as NDJSON, oldest first, read from the store a page at
// a time. Memory stays at one page whatever the store holds: a page is bounded in events and in
// body bytes (the store reads only the bodies it returns), the next page is read only once the
// socket has taken the last one (res.write back-pressure, line by line), and a client that leaves
// stops the loop before its next query.
import type { ExportLine } from '@webhook-contracts/schema';
import type { Response } from 'express';
import type { Logger } from '../logging/logger.js';
import type { ExportEventsQuery, ExportedEvent, Store } from '../store/core/Store.js';

/** Events read per store query; a page's bodies are in memory together. */
export const defaultExportPageSize = 200;

/**
 * Body bytes read per store query (one body larger than this is read alone). With 200 bodies of
 * 200 KB a page held 40 MB per export; 1 MiB keeps twenty exports under about 50 MB together,
 * while a page of typical 1 KB bodies is still ended by the event count.
 */
export const defaultExportPageBytes = 1024 * 1024;

/** A client that takes nothing from the socket for this long is disconnected. */
export const defaultExportStallMs = 60_000;

export interface ExportWriting {
  pageSize: number;
  /** Most body bytes per page (see defaultExportPageBytes). */
  pageBytes: number;
  stallMs: number;
  logger: Logger;
}

/** One export line: the stored bytes as base64, so any body (invalid UTF-8, CRLF) survives. */
export function exportLine(e: ExportedEvent): string {
  const line: ExportLine = {
    webhook_id: e.webhookId,
    type: e.type,
    status: e.status,
    received_at: new Date(e.receivedAt).toISOString(),
    body_base64: e.body.toString('base64'),
  };
  return `${JSON.stringify(line)}\n`;
}

/**
 * Streams every event matching `filter`. Resolves when the export is written or the client has
 * gone. A store failure before the first byte rejects (the caller answers with an error); after
 * it, the connection is destroyed so the client sees a truncated response, never a short but
 * complete-looking export.
 */
export async function writeEventExport(
  res: Response,
  store: Store,
  filter: Omit<ExportEventsQuery, 'after' | 'limit'>,
  { pageSize, pageBytes, stallMs, logger }: ExportWriting,
): Promise<void> {
  let gone = res.destroyed;
  const leave = () => {
    gone = true;
  };
  res.on('close', leave);
  try {
    const limits = { limit: pageSize, maxBytes: pageBytes };
    let page = await store.exportEvents({ ...filter, ...limits });
    res.status(200).type('application/x-ndjson').set('cache-control', 'no-store');
    res.flushHeaders();
    for (;;) {
      for (const event of page) {
        if (gone) return;
        if (!res.write(exportLine(event))) await drained(res, stallMs, logger);
      }
      const last = page[page.length - 1];
      // A page the byte bound ended is short too: only an empty one says the export is done.
      if (gone || last === undefined) break;
      page = await store.exportEvents({
        ...filter,
        ...limits,
        after: { receivedAt: last.receivedAt, webhookId: last.webhookId },
      });
    }
    if (!gone) res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    logger.error({ err: error }, 'event export failed part-way; the connection is closed');
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off('close', leave);
  }
}

/**
 * Resolves once the socket has taken the buffered output, or the connection has closed. A client
 * that reads nothing for `stallMs` is disconnected: it would hold the page in memory for ever.
 */
function drained(res: Response, stallMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ stallMs }, 'event export client stopped reading; disconnecting it');
      res.destroy();
    }, stallMs);
    const done = () => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
