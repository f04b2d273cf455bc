// The run routes: POST /send, /replay and /check start a run (the answer waits for it, or is a 202
// with its id for `"wait": false`), GET /runs/:id shows one, DELETE /runs/:id cancels it. Runs at
// once are bounded by SENDER_MAX_RUNS; a waited-for run stops when its client leaves.
import type { ServerResponse } from 'node:http';
import { HttpError, writeJson } from '@webhook-contracts/http-kit';
import { WebhookConfigError } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { prepareRun, type RunContext } from './prepareRun.js';
import { type RunKind, RunRegistry, type RunVerdict } from './RunRegistry.js';
import { readJsonBody, requireJsonType } from './readJsonBody.js';
import { parseRunId } from './runId.js';
import type { RouteHandler, Routes } from './senderRouter.js';
import { stoppedOf, timeLimited } from './timeLimited.js';

/** Seconds a client is asked to wait when every run slot is taken. */
const RETRY_AFTER_SECONDS = 5;

/** What a failure the service did not foresee shows: the cause goes to the log only. */
export const INTERNAL_ERROR_MESSAGE = 'the service failed and logged why: tell its operator';

export interface RunRoutesOptions extends RunContext {
  /** Runs (send, replay or check) at once; beyond, 429. */
  maxRuns: number;
}

/** Runs `work` with a signal that aborts when the client goes away before its answer. */
async function untilClientLeaves<T>(
  res: ServerResponse,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', onClose);
  try {
    return await work(controller.signal);
  } finally {
    res.off('close', onClose);
  }
}

/**
 * The run routes, keyed for senderRouter.
 *
 * @example
 * const routes = runRoutes({ policy, deliveries, maxRunSeconds: 3600, log, maxRuns: 4 });
 */
export function runRoutes(options: RunRoutesOptions): Routes {
  const { maxRuns, maxRunSeconds, log } = options;
  const registry = new RunRegistry();
  let runs = 0;

  /** A background run's failure, in the error body's terms; anything unexpected is logged, not shown. */
  const describeError = (error: unknown): { code: string; message: string } => {
    if (
      error instanceof SenderConfigError ||
      error instanceof WebhookConfigError ||
      error instanceof HttpError
    ) {
      return { code: error.code, message: error.message };
    }
    log(
      `internal error in a background run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE };
  };

  const start =
    (kind: RunKind): RouteHandler =>
    async (req, res) => {
      requireJsonType(req);
      if (runs >= maxRuns) {
        throw new HttpError(
          429,
          'too_many_runs',
          `${maxRuns} runs are in progress (SENDER_MAX_RUNS): retry after one ends`,
          {
            headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
          },
        );
      }
      runs++;
      let background = false;
      try {
        const run = prepareRun(kind, await readJsonBody(req), options);
        const work = timeLimited(run.work, maxRunSeconds);
        if (run.wait) {
          writeJson(res, 200, await untilClientLeaves(res, (signal) => work(signal, () => {})));
          return;
        }
        // In the background the run outlives this request: its slot is freed when it settles.
        background = true;
        const verdict = (result: unknown): RunVerdict =>
          stoppedOf(result) !== undefined ? 'timed_out' : run.passed(result) ? 'succeeded' : 'failed';
        const view = registry.start(run.kind, work, verdict, describeError, () => {
          runs--;
        });
        writeJson(res, 202, { run: view }, { location: `/runs/${view.id}` });
      } finally {
        if (!background) runs--;
      }
    };

  return {
    'POST /send': start('send'),
    'POST /replay': start('replay'),
    'POST /check': start('check'),
    'GET /runs/:id': (_req, res, _url, param) => {
      const id = parseRunId(param);
      const run = registry.get(id);
      if (run === undefined) {
        throw new HttpError(
          404,
          'run_not_found',
          `no run ${id} (finished runs are kept for a while, then dropped)`,
        );
      }
      writeJson(res, 200, { run });
    },
    'DELETE /runs/:id': (_req, res, _url, param) => {
      const id = parseRunId(param);
      if (!registry.cancel(id)) throw new HttpError(404, 'run_not_found', `no run ${id}`);
      writeJson(res, 202, { run: registry.get(id) });
    },
  };
}
