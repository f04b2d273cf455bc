import { Clipped, formatCount } from '@webhook-contracts/inspector-kit';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { jsonLines, presentPointer } from './jsonLines.ts';

interface Props {
  value: unknown;
  /** Pointers to highlight (a missing field highlights the object lacking it). */
  pointers: readonly string[];
}

/** Lines drawn at first, and added by each "show more". */
const LINE_STEP = 2000;
/** Characters of a key or a scalar drawn before its "show all". */
const TEXT_LIMIT = 300;

/** The payload pretty-printed, with the lines of each offending field marked. */
export function JsonView({ value, pointers }: Props) {
  const [maxLines, setMaxLines] = useState(LINE_STEP);
  const marked = useMemo(() => new Set(pointers.map((p) => presentPointer(value, p))), [value, pointers]);
  const { lines, total, firstHit } = useMemo(
    () => jsonLines(value, { marked, maxLines }),
    [value, marked, maxLines],
  );
  const first = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    first.current?.scrollIntoView({ block: 'nearest' });
  }, [marked]);
  return (
    <>
      <pre class="json" data-testid="payload">
        {lines.map((line, i) => (
          <span
            key={i}
            ref={i === firstHit ? first : null}
            class={line.hit ? 'line hl' : 'line'}
            data-pointer={line.pointer}
          >
            {'  '.repeat(line.depth)}
            {line.key !== undefined && (
              <>
                <Clipped text={line.key} limit={TEXT_LIMIT} class="j-key" />
                {': '}
              </>
            )}
            <Clipped text={line.text} limit={TEXT_LIMIT} class={`j-${line.kind}`} />
            {line.comma ? ',' : ''}
            {'\n'}
          </span>
        ))}
      </pre>
      {lines.length < total && (
        <p class="muted small" data-testid="payload-more">
          {formatCount(lines.length)} of {formatCount(total)} lines shown
          {firstHit >= lines.length
            ? ` (the first highlighted one is line ${formatCount(firstHit + 1)})`
            : ''}
          .{' '}
          <button type="button" class="expand" onClick={() => setMaxLines(lines.length + LINE_STEP)}>
            Show {formatCount(Math.min(LINE_STEP, total - lines.length))} more lines
          </button>
          <button type="button" class="expand" onClick={() => setMaxLines(total)}>
            Show all {formatCount(total)} lines
          </button>
        </p>
      )}
    </>
  );
}
