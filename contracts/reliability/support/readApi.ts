// The receiver's read API, as the tests need it: every stored event (paged), one event, progress.
export interface EventSummaryJson {
  webhook_id: string;
  type: string | null;
  status: string;
  deliveries_seen: number;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
}

export interface ProgressJson {
  user_id: string;
  course_id: string;
  completed_lessons: number;
  lesson_ids: string[];
  last_completed_at: string;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every stored event, following `next_cursor` to the end. */
export async function listAllEvents(baseUrl: string, token: string): Promise<EventSummaryJson[]> {
  const out: EventSummaryJson[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: { events: EventSummaryJson[]; next_cursor: string | null } = await getJson(
      `${baseUrl}/events?limit=500${query}`,
      token,
    );
    out.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}

/** Every progress row, following `next_cursor` to the end. */
export async function getProgress(baseUrl: string, token: string): Promise<ProgressJson[]> {
  const out: ProgressJson[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: { progress: ProgressJson[]; next_cursor: string | null } = await getJson(
      `${baseUrl}/progress?limit=500${query}`,
      token,
    );
    out.push(...page.progress);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return out;
}
