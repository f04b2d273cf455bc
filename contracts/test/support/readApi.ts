// A small client for the receiver's read API (`/events`, `/events/:id`, `/progress`), used by the
// receiver-side and end-to-end tests to check what was stored rather than what was answered.
import type {
  EventPage,
  EventRecord,
  EventSummary,
  ProgressPage,
  ProgressRow,
} from '@webhook-contracts/schema';

export class ReadApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    return { status: res.status, body: (await res.json()) as T };
  }

  private async getOk<T>(path: string): Promise<T> {
    const { status, body } = await this.get<T>(path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Every stored event (of one `type` when given), following `next_cursor` to the end. */
  async allEvents(type?: string): Promise<EventSummary[]> {
    const events: EventSummary[] = [];
    let cursor: string | null = null;
    const filter = type === undefined ? '' : `&type=${encodeURIComponent(type)}`;
    do {
      const query: string = (cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`) + filter;
      const page: EventPage = await this.getOk(`/events?limit=500${query}`);
      events.push(...page.events);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return events;
  }

  /** One event with its payload, or undefined when the receiver answers 404. */
  async event(webhookId: string): Promise<EventRecord | undefined> {
    const { status, body } = await this.get<EventRecord>(`/events/${encodeURIComponent(webhookId)}`);
    if (status === 404) return undefined;
    if (status !== 200)
      throw new Error(`GET /events/${webhookId} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Every progress row, following `next_cursor` to the end. */
  async progress(): Promise<ProgressRow[]> {
    const rows: ProgressRow[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: ProgressPage = await this.getOk(`/progress?limit=500${query}`);
      rows.push(...page.progress);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return rows;
  }
}

/** Polls `check` until it returns a value other than undefined; fails with `what` after the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
