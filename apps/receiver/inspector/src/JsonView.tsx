import { useEffect, useMemo, useRef } from 'preact/hooks';
import { covers, jsonLines, presentPointer } from './jsonLines.ts';

interface Props {
  value: unknown;
  /** Pointers to highlight (a missing field highlights the object lacking it). */
  pointers: readonly string[];
}

/** The payload pretty-printed, with the lines of each offending field marked. */
export function JsonView({ value, pointers }: Props) {
  const lines = useMemo(() => jsonLines(value), [value]);
  const marked = useMemo(() => pointers.map((p) => presentPointer(lines, p)), [lines, pointers]);
  const first = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    first.current?.scrollIntoView({ block: 'nearest' });
  }, [marked]);
  let firstSeen = false;
  return (
    <pre class="json" data-testid="payload">
      {lines.map((line, i) => {
        const hit = marked.some((m) => covers(m, line.pointer));
        const ref = hit && !firstSeen ? first : null;
        if (hit) firstSeen = true;
        return (
          <span key={i} ref={ref} class={hit ? 'line hl' : 'line'} data-pointer={line.pointer}>
            {'  '.repeat(line.depth)}
            {line.key !== undefined && (
              <>
                <span class="j-key">{JSON.stringify(line.key)}</span>
                {': '}
              </>
            )}
            <span class={`j-${line.kind}`}>{line.text}</span>
            {line.comma ? ',' : ''}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
