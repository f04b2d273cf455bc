import { useEffect } from 'preact/hooks';

/**
 * Calls `load` now and whenever it changes, then every `everyMs` while `live`.
 *
 * @example useRefresh(load, 3000, live);
 */
export function useRefresh(load: () => Promise<void>, everyMs: number, live = true): void {
  useEffect(() => {
    void load();
    if (!live) return;
    const timer = window.setInterval(() => void load(), everyMs);
    return () => window.clearInterval(timer);
  }, [load, everyMs, live]);
}
