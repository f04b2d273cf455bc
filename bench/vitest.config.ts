import { project } from '../vitest.workspace-project.ts';

export default project('bench', { include: ['*.test.ts', 'support/*.test.ts'] });
