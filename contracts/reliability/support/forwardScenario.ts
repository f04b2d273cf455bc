// What the forwarding scenarios share: the receiver's forwarding settings for their destinations,
// and a sender run of mixed-type events, each delivered twice.
import { runBuiltSender } from '@webhook-contracts/test-kit';

export interface ScenarioDestinations {
  natsUrl: string;
  stream: string;
  /** The NATS subject prefix (the stream's subjects are `<prefix>.>`). */
  subjectPrefix: string;
  exchange: string;
  httpUrl: string;
  httpSecret: string;
  /** FORWARD_TIMEOUT_MS: a killed instance's rows are taken over after 3 × this + 5 s. */
  timeoutMs: number;
}

export function forwardingEnv(d: ScenarioDestinations): Record<string, string> {
  return {
    // A killed instance's claims are taken over after the lease: keep it short so the run ends soon.
    PROCESSING_LEASE_MS: '2000',
    FORWARD_NATS_URL: d.natsUrl,
    FORWARD_NATS_STREAM: d.stream,
    FORWARD_NATS_SUBJECT: `${d.subjectPrefix}.{type}`,
    FORWARD_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    FORWARD_AMQP_EXCHANGE: d.exchange,
    FORWARD_HTTP_URL: d.httpUrl,
    FORWARD_HTTP_SECRET: d.httpSecret,
    FORWARD_TIMEOUT_MS: String(d.timeoutMs),
  };
}

/** `count` generated events of every type, each delivered twice, retried for about 20 s. */
export function sendTwice(url: string, count: number, seed: string, secret: string, concurrency: number) {
  return runBuiltSender(
    [
      'send',
      '--to',
      `${url}/webhooks`,
      '--generate',
      String(count),
      '--type',
      'all',
      '--duplicates',
      '2',
      '--seed',
      seed,
      '--concurrency',
      String(concurrency),
      '--retry-schedule',
      '0.2,0.4,0.8,1.6,3.2,6.4,10',
      '--timeout',
      '10000',
      '--no-progress',
      '--json',
    ],
    { WEBHOOK_SECRET: secret },
    { cleanEnv: true },
  );
}
