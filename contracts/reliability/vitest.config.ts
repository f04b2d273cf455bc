import { project } from '../../vitest.workspace-project.ts';

// Each file starts real receiver and sender processes: run them one after another on this
// 2-core machine so one scenario's load does not starve another's.
export default project('reliability', {
  include: ['**/*.test.ts'],
  fileParallelism: false,
  testTimeout: 600_000,
  hookTimeout: 120_000,
});
