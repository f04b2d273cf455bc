// The local spool's gauges from /metrics, when the receiver has a spool (SPOOL_DIR on PostgreSQL).
import type { Sample } from './prometheus.ts';

export interface SpoolFigures {
  depth: number;
  bytes: number;
  maxBytes: number;
  oldestAgeSeconds: number;
}

/** The spool's figures, or null when the receiver has no spool. */
export function spoolFigures(samples: readonly Sample[]): SpoolFigures | null {
  const value = (name: string) => samples.find((s) => s.name === name)?.value;
  const depth = value('webhook_spool_depth');
  if (depth === undefined) return null;
  return {
    depth,
    bytes: value('webhook_spool_bytes') ?? 0,
    maxBytes: value('webhook_spool_max_bytes') ?? 0,
    oldestAgeSeconds: value('webhook_spool_oldest_age_seconds') ?? 0,
  };
}

/** Bytes in KiB/MiB/GiB, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
