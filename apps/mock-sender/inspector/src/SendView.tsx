import { messageOf, StatusBadge, useApi } from '@webhook-contracts/inspector-kit';
import { useEffect, useState } from 'preact/hooks';
import type { ExampleInfo, SendSummary } from './api.ts';
import { CountList } from './CountList.tsx';
import { parseOverrides } from './overrides.ts';
import { RunPanel } from './RunPanel.tsx';
import { TargetFields, type TargetProps } from './TargetFields.tsx';
import { useRun } from './useRun.ts';

/** Send an example or generated events to a target, then follow the run. */
export function SendView({ target, allowed, onTarget }: TargetProps) {
  const api = useApi();
  const [examples, setExamples] = useState<ExampleInfo[]>([]);
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [eventType, setEventType] = useState('course_lesson_interaction.completed');
  const [source, setSource] = useState<'example' | 'generate'>('example');
  const [example, setExample] = useState('');
  const [count, setCount] = useState('10');
  const [seed, setSeed] = useState('');
  const [duplicates, setDuplicates] = useState('1');
  const [overrides, setOverrides] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const { run, error, start, running } = useRun();

  useEffect(() => {
    api<{ examples: ExampleInfo[]; event_types?: string[] }>('examples')
      .then(({ examples: list, event_types }) => {
        setExamples(list);
        setEventTypes(event_types ?? []);
        setExample((current) => current || (list[0]?.name ?? ''));
      })
      .catch((err: unknown) => setFormError(messageOf(err)));
  }, [api]);

  const submit = (e: Event) => {
    e.preventDefault();
    setFormError(null);
    let set: Record<string, unknown>;
    try {
      set = parseOverrides(overrides);
    } catch (err) {
      setFormError((err as Error).message);
      return;
    }
    const body: Record<string, unknown> = { to: target.to };
    if (target.secret !== '') body['secret'] = target.secret;
    if (source === 'example') body['example'] = [example];
    else {
      body['generate'] = Number(count);
      body['type'] = [eventType];
    }
    if (seed.trim() !== '') body['seed'] = seed.trim();
    if (Number(duplicates) > 1) body['duplicates'] = Number(duplicates);
    if (Object.keys(set).length > 0) body['set'] = set;
    void start('send', body);
  };

  const groups = (['valid', 'unknown', 'invalid'] as const).map(
    (kind) => [kind, examples.filter((x) => x.kind === kind)] as const,
  );
  const summary = run?.result as SendSummary | undefined;
  return (
    <section>
      <form class="form" onSubmit={submit}>
        <TargetFields value={target} allowed={allowed} onChange={onTarget} />
        <div class="wide radios" role="radiogroup" aria-label="What to send">
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'example'}
              onChange={() => setSource('example')}
            />
            An example payload
          </label>
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'generate'}
              onChange={() => setSource('generate')}
            />
            Generated events
          </label>
        </div>
        {source === 'example' ? (
          <label class="wide">
            Example
            <select aria-label="Example" value={example} onChange={(e) => setExample(e.currentTarget.value)}>
              {groups.map(([kind, list]) =>
                list.length === 0 ? null : (
                  <optgroup key={kind} label={kind}>
                    {list.map((x) => (
                      <option key={x.name} value={x.name}>
                        {x.name} — {x.description}
                      </option>
                    ))}
                  </optgroup>
                ),
              )}
            </select>
          </label>
        ) : (
          <>
            <label>
              Event type
              <select
                aria-label="Event type"
                value={eventType}
                onChange={(e) => setEventType(e.currentTarget.value)}
              >
                {(eventTypes.length === 0 ? [eventType] : eventTypes).map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Events
              <input
                type="number"
                aria-label="Events"
                min={1}
                max={100000}
                value={count}
                onInput={(e) => setCount(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <label>
          Seed (optional)
          <input
            aria-label="Seed"
            value={seed}
            placeholder="random"
            onInput={(e) => setSeed(e.currentTarget.value)}
          />
        </label>
        <label>
          Duplicates of each
          <input
            type="number"
            min={1}
            max={100}
            aria-label="Duplicates"
            value={duplicates}
            onInput={(e) => setDuplicates(e.currentTarget.value)}
          />
        </label>
        <label class="wide">
          Overrides (one path=value a line; the value is JSON or text)
          <textarea
            aria-label="Overrides"
            value={overrides}
            placeholder="data.user.name=null"
            onInput={(e) => setOverrides(e.currentTarget.value)}
          />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={running || target.to === ''}>
            {running ? 'Sending…' : 'Send'}
          </button>
          {formError !== null && (
            <span class="error" role="alert">
              {formError}
            </span>
          )}
        </div>
      </form>
      <RunPanel run={run} error={error}>
        {summary !== undefined && (
          <dl class="facts" data-testid="send-summary">
            <dt>Sent</dt>
            <dd>
              {summary.sent} ({summary.events} events)
            </dd>
            <dt>Delivered</dt>
            <dd>{summary.delivered}</dd>
            <dt>Failed</dt>
            <dd>{summary.failed}</dd>
            <dt>Attempts</dt>
            <dd>{summary.attempts}</dd>
            <dt>HTTP status</dt>
            <dd data-testid="send-by-status">
              {Object.entries(summary.byStatus).map(([status, n]) => (
                <span key={status} class="mono">
                  <StatusBadge status={status} /> ×{n}{' '}
                </span>
              ))}
            </dd>
            <dt>Answers</dt>
            <dd data-testid="send-answers">
              {Object.entries(summary.answers ?? {}).map(([answer, n]) => (
                <span key={answer} class="mono">
                  <StatusBadge status={answer.slice(0, 40)} /> ×{n}{' '}
                </span>
              ))}
            </dd>
            <dt>Types</dt>
            <dd data-testid="send-by-type">
              <CountList counts={summary.byType ?? {}} noun="types" />
            </dd>
            <dt>Latency p50 / p95</dt>
            <dd>
              {summary.latencyMs.p50 ?? '—'} ms / {summary.latencyMs.p95 ?? '—'} ms
            </dd>
          </dl>
        )}
      </RunPanel>
    </section>
  );
}
