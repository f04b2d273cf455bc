import { project } from '../vitest.workspace-project.ts';

export default project('contracts', {
  include: ['test/**/*.test.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
});
