// The receiver's read API, as the tests need it: every stored event (paged), one event, progress.
import type { EventPage, EventSummary, ProgressPage, ProgressRow } from '@webhook-contracts/schema';

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every stored event, following `next_cursor` to the end. */
export async function listAllEvents(baseUrl: string, token: string): Promise<EventSummary[]> {
  const out: EventSummary[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: EventPage = await getJson(`${baseUrl}/events?limit=500${query}`, token);
    out.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}

/** Every progress row, following `next_cursor` to the end. */
export async function getProgress(baseUrl: string, token: string): Promise<ProgressRow[]> {
  const out: ProgressRow[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: ProgressPage = await getJson(`${baseUrl}/progress?limit=500${query}`, token);
    out.push(...page.progress);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}
