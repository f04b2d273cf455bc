import { Clipped } from '@webhook-contracts/inspector-kit';
import { compactCounts } from './counts.ts';

/** `payment.succeeded ×6, … and 37 more types (40 in all)`: the largest counts by name, the rest summed. */
export function CountList({ counts, noun }: { counts: Record<string, number>; noun: string }) {
  const { shown, rest } = compactCounts(counts);
  if (shown.length === 0) return <span>none</span>;
  return (
    <span class="small">
      {shown.map(([key, n], i) => (
        <span key={key}>
          {i > 0 && ', '}
          <Clipped text={key} limit={80} class="mono" /> ×{n}
        </span>
      ))}
      {rest.keys > 0 && ` and ${rest.keys} more ${noun} (${rest.total} in all)`}
    </span>
  );
}
