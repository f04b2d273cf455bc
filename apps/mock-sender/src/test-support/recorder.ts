// Test helpers: an msw handler that records what the sender POSTed (headers and exact body) and
// answers from a script, plus a sleep that records the delays it was asked for.
import { HttpResponse, http } from 'msw';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const TARGET = 'http://receiver.test/webhooks';

export interface RecordedRequest {
  headers: Record<string, string>;
  body: string;
  url: string;
}

export type Answer =
  | number
  | { status: number; headers?: Record<string, string> }
  | (() => Promise<Response>);

/** Answers each request with the next scripted answer (the last one repeats); records every request. */
export function scriptedReceiver(answers: Answer[], url = TARGET) {
  const requests: RecordedRequest[] = [];
  const handler = http.post(url, async ({ request }) => {
    requests.push({
      headers: Object.fromEntries(request.headers.entries()),
      body: await request.text(),
      url: request.url,
    });
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] ?? 200;
    if (typeof answer === 'function') return answer();
    const { status, headers } = typeof answer === 'number' ? { status: answer, headers: undefined } : answer;
    return new HttpResponse(status === 204 ? null : JSON.stringify({ ok: status < 300 }), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  });
  return { handler, requests };
}

/** A sleep that resolves at once and remembers each requested delay. */
export function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  return { sleep, delays };
}

/** A clock that moves forward `stepMs` each time it is read. */
export function steppingClock(startMs: number, stepMs: number) {
  let now = startMs;
  return () => {
    const value = now;
    now += stepMs;
    return value;
  };
}
