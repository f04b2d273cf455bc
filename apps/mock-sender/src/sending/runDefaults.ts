// A run's defaults, in a module of their own: the CLI's --help states them without loading the
// delivery code.
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [10, 20, 40];
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 300;
export const DEFAULT_SHUFFLE_WINDOW = 20;
