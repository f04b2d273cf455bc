import { project } from '../../vitest.workspace-project.ts';

// Some tests start built programs or child processes: seconds each on a busy 2-core machine.
export default project('mock-sender', { testTimeout: 30_000, hookTimeout: 30_000 });
