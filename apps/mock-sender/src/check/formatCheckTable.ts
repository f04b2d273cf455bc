// `mock-sender check`'s text output: one row per case with what was expected, what came back, the
// verdict and why, then the diagnosis and the count.
import type { CheckReport } from './check.js';

/** The check results as a text table: case, expected, got, verdict and why; one line when nothing answered. */
export function formatCheckTable(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.pass).length;
  const total = report.results.length;
  const unreachable = report.results.every((r) => r.got === 'connection_error');
  if (unreachable && report.diagnosis !== undefined) {
    return `${report.diagnosis}\n\n${failed} of ${total} cases FAILED against ${report.to}`;
  }
  const rows = report.results.map((r) => [
    r.case,
    r.expected === 'accept' ? '2xx' : '4xx',
    String(r.got),
    r.verdict === 'pass' ? 'pass' : r.verdict === 'fail' ? 'FAIL' : 'INCONCLUSIVE',
    r.reason ?? '',
  ]);
  const header = ['case', 'expected', 'got', 'result', 'why'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const inconclusive = report.results.filter((r) => r.verdict === 'inconclusive').length;
  const { stored } = report;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...(report.diagnosis !== undefined ? [report.diagnosis] : []),
    ...(stored.length === 0 ? [] : [storedLine(stored)]),
    failed === 0
      ? `all ${total} cases passed against ${report.to}`
      : `${failed} of ${total} cases FAILED against ${report.to}` +
        (inconclusive > 0 ? ` (${inconclusive} inconclusive)` : ''),
  ].join('\n');
}

/** `left in the target's store (answered 2xx): 5 events, of types …; webhook-ids …`. */
function storedLine(stored: CheckReport['stored']): string {
  const types = new Map<string, number>();
  for (const { type } of stored) types.set(type || '(no type)', (types.get(type || '(no type)') ?? 0) + 1);
  const typeList = [...types].map(([type, count]) => `${type} ×${count}`).join(', ');
  const ids = stored.map((s) => s.webhook_id).join(', ');
  return (
    `left in the target's store (answered 2xx): ${stored.length} event${stored.length === 1 ? '' : 's'} ` +
    `of type ${typeList}; webhook-ids ${ids}: delete them if they must not stay`
  );
}
