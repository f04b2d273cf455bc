// What the service may do for a request: which targets its runs may deliver to, which sources
// /replay may read, and when its own WEBHOOK_SECRET and RECEIVER_API_TOKEN may be used.
import { HttpError } from '@webhook-contracts/http-kit';
import { resolveSecrets } from '../options/resolveSecrets.js';
import { type TargetPrefix, targetAllowed } from './targetAllowList.js';

export interface RunPolicyOptions {
  /** Receiver URL prefixes runs may target; undefined allows any target, with the request's own secret only. */
  allowedTargets?: readonly TargetPrefix[] | undefined;
  /** Receiver URL prefixes /replay reads from with the service's RECEIVER_API_TOKEN. */
  allowedSources?: readonly TargetPrefix[] | undefined;
  /** Where the service's own WEBHOOK_SECRET is read from. */
  env: NodeJS.ProcessEnv;
}

/**
 * @example
 * const policy = new RunPolicy({ allowedTargets: [], env: process.env });
 * policy.checkTarget('https://staging.example/webhooks'); // throws HttpError 403 target_not_allowed
 */
export class RunPolicy {
  constructor(private readonly options: RunPolicyOptions) {}

  /** Refuses a target SENDER_ALLOWED_TARGETS does not allow (403 `target_not_allowed`). */
  checkTarget(to: string): void {
    if (this.options.allowedTargets === undefined) return;
    let url: URL;
    try {
      url = new URL(to);
    } catch {
      return; // send()/check() report the unusable URL with their own message.
    }
    if (!targetAllowed(url, this.options.allowedTargets)) {
      throw new HttpError(
        403,
        'target_not_allowed',
        `${url.origin}${url.pathname} is not under SENDER_ALLOWED_TARGETS: ask the operator to add it`,
      );
    }
  }

  /**
   * The replay source, refused unless SENDER_ALLOWED_SOURCES or SENDER_ALLOWED_TARGETS lists it:
   * serve fetches what it is told, so without a list it would be a proxy into its own network.
   * Only a source under SENDER_ALLOWED_SOURCES is trusted with the service's read token: a target
   * is somewhere runs may deliver to, which says nothing about who may read production's events.
   */
  checkSource(from: string): 'trusted' | 'target' {
    const url = new URL(from);
    if (targetAllowed(url, this.options.allowedSources ?? [])) return 'trusted';
    if (targetAllowed(url, this.options.allowedTargets ?? [])) return 'target';
    throw new HttpError(
      403,
      'source_not_allowed',
      `${url.origin}${url.pathname} is not under SENDER_ALLOWED_SOURCES or SENDER_ALLOWED_TARGETS: ask the operator to add it`,
    );
  }

  /** The request's own secret, or the service's when it may sign for the allowed targets. */
  secretsFor(given: string | string[] | undefined): string[] {
    if (given !== undefined) return typeof given === 'string' ? resolveSecrets(given, {}) : given;
    const own = resolveSecrets(undefined, this.options.env);
    if (this.options.allowedTargets === undefined) {
      throw new HttpError(
        403,
        'target_not_allowed',
        "the service's WEBHOOK_SECRET signs only for SENDER_ALLOWED_TARGETS, which is not set: send your own `secret` or set SENDER_ALLOWED_TARGETS",
      );
    }
    return own;
  }

  /** The secrets a run to `to` signs with: checkTarget, then secretsFor. */
  secretsForTarget(to: string, given: string | string[] | undefined): string[] {
    this.checkTarget(to);
    return this.secretsFor(given);
  }

  /** The service's RECEIVER_API_TOKEN for a trusted source, nothing for any other. */
  serviceTokenFor(source: 'trusted' | 'target'): string | undefined {
    return source === 'trusted' ? this.options.env['RECEIVER_API_TOKEN'] : undefined;
  }
}
