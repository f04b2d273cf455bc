// Keeps a RabbitMQ consumer running across lost connections: amqplib does not reconnect, so when a
// consumer's connection closes (broker restart, network, a forced close) a new one is started
// after a pause, and a start that fails (broker still down) is retried with the pause doubled up to
// `maxDelayMs`, jittered so a fleet does not reconnect in step. A consumer that ran for at least
// `maxDelayMs` starts the next pause from `initialDelayMs` again. Messages left unacked on the lost
// connection are redelivered by RabbitMQ, and the id dedupe skips any already handled.
import { type AmqpConsumer, type AmqpConsumerOptions, startAmqpConsumer } from './amqpConsumer.js';

export interface KeepPolicy {
  /** The first pause after a loss, in ms (default 500). */
  initialDelayMs?: number;
  /** The longest pause between attempts, in ms (default 30 000). */
  maxDelayMs?: number;
  /** Told of every restart to come: the attempt number (from 1) and the failed start's error, if any. */
  onRestart?: (attempt: number, error?: unknown) => void;
}

export interface KeptAmqpConsumer {
  /** Resolves once the first consumer is up (rejects only if stopped before it is). */
  ready: Promise<void>;
  /** Stops the current consumer and any pending restart. */
  stop(): Promise<void>;
}

export function keepAmqpConsumer(options: AmqpConsumerOptions, policy: KeepPolicy = {}): KeptAmqpConsumer {
  const initialDelayMs = policy.initialDelayMs ?? 500;
  const maxDelayMs = Math.max(initialDelayMs, policy.maxDelayMs ?? 30_000);
  let stopping = false;
  let current: AmqpConsumer | undefined;
  let wake: (() => void) | undefined;
  let markReady: () => void = () => {};
  let failReady: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // a caller that never awaits `ready` must not see an unhandled rejection

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    let delay = initialDelayMs;
    let attempt = 0;
    while (!stopping) {
      let error: unknown;
      const started = Date.now();
      try {
        current = await startAmqpConsumer(options);
        if (stopping) break; // stop() came while connecting: it waits for this one below
        markReady();
        await current.closed;
        if (stopping) break;
        current = undefined;
        if (Date.now() - started >= maxDelayMs) delay = initialDelayMs;
      } catch (failure) {
        error = failure;
      }
      if (stopping) break;
      attempt += 1;
      policy.onRestart?.(attempt, error);
      // Full jitter on the upper half: between delay/2 and delay.
      await pause(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(maxDelayMs, delay * 2);
    }
  };
  const running = run();

  return {
    ready,
    async stop() {
      stopping = true;
      wake?.();
      // Stopping the live consumer closes its connection, which ends the loop's wait on it.
      const live = current;
      if (live !== undefined) await live.stop().catch(() => {});
      await running;
      // A consumer that finished connecting after stop() began is stopped here.
      if (current !== undefined && current !== live) await current.stop().catch(() => {});
      current = undefined;
      failReady(new Error('keepAmqpConsumer: stopped before the first consumer started'));
    },
  };
}
