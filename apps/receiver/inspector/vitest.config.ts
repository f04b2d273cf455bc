import { project } from '../../../vitest.workspace-project.ts';

// The page's pure helpers; the page itself is tested in Chromium (contracts/browser).
export default project('receiver-inspector');
