// A client for the receiver's read API, typed by the wire shapes the schema package declares, so
// tests check what was stored rather than what was answered.
import type {
  EventPage,
  EventRecord,
  EventSummary,
  MembershipPage,
  MembershipRecord,
  ProgressPage,
  ProgressRow,
} from '@webhook-contracts/schema';

/**
 * @example
 * const api = new ReadApi(receiver.url, token);
 * expect((await api.allEvents()).map((e) => e.webhook_id)).toEqual(ids);
 */
export class ReadApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** GET `path` with the bearer token; the status and the parsed body, whatever the status. */
  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    return { status: res.status, body: (await res.json()) as T };
  }

  private async getOk<T>(path: string): Promise<T> {
    const { status, body } = await this.get<T>(path);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Follows `next_cursor` from the first page of `path` to the last, collecting `pick(page)`. */
  private async all<P extends { next_cursor: string | null }, R>(
    path: string,
    pick: (page: P) => readonly R[],
  ): Promise<R[]> {
    const rows: R[] = [];
    const separator = path.includes('?') ? '&' : '?';
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: P = await this.getOk(`${path}${separator}limit=500${query}`);
      rows.push(...pick(page));
      cursor = page.next_cursor;
    } while (cursor !== null);
    return rows;
  }

  /** Every stored event (of one `type` when given). */
  allEvents(type?: string): Promise<EventSummary[]> {
    const path = type === undefined ? '/events' : `/events?type=${encodeURIComponent(type)}`;
    return this.all(path, (page: EventPage) => page.events);
  }

  /** One event with its payload, or undefined when the receiver answers 404. */
  async event(webhookId: string): Promise<EventRecord | undefined> {
    const path = `/events/${encodeURIComponent(webhookId)}`;
    const { status, body } = await this.get<EventRecord>(path);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Every lesson-progress row. */
  progress(): Promise<ProgressRow[]> {
    return this.all('/progress', (page: ProgressPage) => page.progress);
  }

  /** Every membership row. */
  memberships(): Promise<MembershipRecord[]> {
    return this.all('/memberships', (page: MembershipPage) => page.memberships);
  }
}
