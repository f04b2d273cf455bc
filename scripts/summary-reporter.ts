// Prints one plain closing line for the whole run, "N passed, N failed, N skipped", so CI and a
// person reading a long log see the totals across every project at once. A file that failed outside
// any test (a failing beforeAll, an import error) leaves its tests skipped; it is counted apart, so
// the line never reads "0 failed" for a run that failed.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let failedFiles = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      failed += failedHere;
      if (mod.state() === 'failed' && failedHere === 0) failedFiles++;
    }
    const files = failedFiles > 0 ? `, ${failedFiles} file(s) failed outside any test (see above)` : '';
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped${files}\n`);
  }
}
