import { Clipped, StatusBadge } from '@webhook-contracts/inspector-kit';
import type { CheckReport } from './api.ts';
import { CountList } from './CountList.tsx';
import { countBy } from './counts.ts';
import { RunPanel } from './RunPanel.tsx';
import { TargetFields, type TargetProps } from './TargetFields.tsx';
import { useRun } from './useRun.ts';

/** Runs the conformance check against a target and shows each case's verdict. */
export function CheckView({ target, allowed, onTarget }: TargetProps) {
  const { run, error, start, running } = useRun();

  const submit = (e: Event) => {
    e.preventDefault();
    void start('check', { to: target.to, ...(target.secret === '' ? {} : { secret: target.secret }) });
  };

  const report = run?.result as CheckReport | undefined;
  return (
    <section>
      <form class="form" onSubmit={submit}>
        <TargetFields value={target} allowed={allowed} onChange={onTarget} />
        <div class="actions">
          <button type="submit" class="primary" disabled={running || target.to === ''}>
            {running ? 'Checking…' : 'Run check'}
          </button>
        </div>
      </form>
      <RunPanel run={run} error={error}>
        {report !== undefined && (
          <>
            <p>
              <StatusBadge status={report.passed ? 'passed' : 'failed'} />{' '}
              {report.results.filter((r) => r.verdict === 'pass').length} of {report.results.length} cases
              passed against <Clipped text={report.to} limit={120} class="mono" />
            </p>
            <p data-testid="check-stored">
              Left in the target's store (answered 2xx): {(report.stored ?? []).length} events
              {(report.stored ?? []).length > 0 && (
                <>
                  {': '}
                  <CountList counts={countBy(report.stored ?? [], (s) => s.type)} noun="types" />
                </>
              )}
            </p>
            {report.diagnosis !== undefined && (
              <p class="warning">
                <Clipped text={report.diagnosis} limit={300} />
              </p>
            )}
            <div class="table-wrap">
              <table data-testid="check-results">
                <thead>
                  <tr>
                    <th>Case</th>
                    <th>Expected</th>
                    <th>Got</th>
                    <th>Verdict</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {report.results.map((r) => (
                    <tr key={r.case}>
                      <td>{r.case}</td>
                      <td>{r.expected}</td>
                      <td class="mono">{r.got}</td>
                      <td>
                        <StatusBadge status={r.verdict} />
                      </td>
                      <td class="small">
                        {r.reason === undefined ? '' : <Clipped text={r.reason} limit={200} />}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </RunPanel>
    </section>
  );
}
