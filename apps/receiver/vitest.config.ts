import { project } from '../../vitest.workspace-project.ts';

const config = project('receiver');
// Vitest hands ssr.resolve.conditions to the worker as `node --conditions …`. The shared list
// includes `import`, which makes Node's require() pick the ESM build of dual packages (is-promise,
// required by Express's router) and breaks Express. Keep only what our source resolution needs.
if (config.ssr?.resolve) config.ssr.resolve.conditions = ['@webhook-contracts/source', 'node'];

export default config;
