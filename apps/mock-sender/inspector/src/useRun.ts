import { messageOf, useApi } from '@webhook-contracts/inspector-kit';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Run } from './api.ts';

const POLL_MS = 500;

/** Starts a background run (`"wait": false`) and follows GET /runs/:id until it settles. */
export function useRun() {
  const api = useApi();
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const follow = (id: string) => {
    timer.current = window.setTimeout(async () => {
      try {
        const { run: next } = await api<{ run: Run }>(`runs/${encodeURIComponent(id)}`);
        setRun(next);
        if (next.status === 'running') follow(id);
      } catch (err) {
        setError(messageOf(err));
      }
    }, POLL_MS);
  };

  const start = async (path: 'send' | 'check', body: Record<string, unknown>) => {
    window.clearTimeout(timer.current);
    setError(null);
    setRun(null);
    try {
      const { run: started } = await api<{ run: Run }>(path, {
        method: 'POST',
        body: { ...body, wait: false },
      });
      setRun(started);
      if (started.status === 'running') follow(started.id);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return { run, error, start, running: run?.status === 'running' };
}
