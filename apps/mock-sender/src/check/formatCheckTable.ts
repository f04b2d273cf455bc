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
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...(report.diagnosis !== undefined ? [report.diagnosis] : []),
    failed === 0
      ? `all ${total} cases passed against ${report.to}`
      : `${failed} of ${total} cases FAILED against ${report.to}` +
        (inconclusive > 0 ? ` (${inconclusive} inconclusive)` : ''),
  ].join('\n');
}
