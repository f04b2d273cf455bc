import type { Sample } from './prometheus.ts';
import { formatBytes, spoolFigures } from './spoolFigures.ts';

/** The local spool's depth, size and oldest age; nothing when the receiver has no spool. */
export function SpoolPanel({ samples }: { samples: readonly Sample[] }) {
  const spool = spoolFigures(samples);
  if (spool === null) return null;
  return (
    <>
      <h3>Local spool (deliveries waiting for the store)</h3>
      <div class="counters" data-testid="spool">
        <div class={`counter ${spool.depth > 0 ? 'counter-warn' : ''}`}>
          <span class="counter-value">{spool.depth}</span>
          <span class="counter-label">waiting</span>
        </div>
        <div class="counter">
          <span class="counter-value">{formatBytes(spool.bytes)}</span>
          <span class="counter-label">of {formatBytes(spool.maxBytes)}</span>
        </div>
        <div class="counter">
          <span class="counter-value">{Math.round(spool.oldestAgeSeconds)} s</span>
          <span class="counter-label">oldest</span>
        </div>
      </div>
    </>
  );
}
