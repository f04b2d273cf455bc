/**
 * Polls `check` until it returns something other than undefined, and resolves with that. A check
 * that throws counts as "not yet"; after `timeoutMs` it fails naming `what` and the last error.
 *
 * @example
 * const event = await eventually('the event is processed', async () => {
 *   const e = await store.getEvent(id);
 *   return e?.status === 'processed' ? e : undefined;
 * });
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause =
        last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : String(last)})`;
      throw new Error(`${what}: not reached within ${timeoutMs} ms${cause}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
