import { project } from '../../vitest.workspace-project.ts';

export default project('mock-sender');
