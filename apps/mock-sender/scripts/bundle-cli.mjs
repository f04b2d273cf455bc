// Build step, after tsc: bundles the CLI (dist/cli.js as tsc wrote it, and all it imports: the
// workspace packages, commander, TypeBox, Ajv) into dist/cli.js and its chunks (dist/cli-*.js). A
// start then reads a handful of files instead of some 450 ES modules, which was most of the time
// `mock-sender send` took before its first request. Each command's work stays a separate chunk,
// loaded when the command runs, so `--help` does not load it. The library (dist/index.js and the
// rest of dist/) is left as tsc wrote it. The chunks sit in dist/ beside cli.js: the code finds
// the files shipped with it from that folder (src/codeDir.ts).
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(app, 'dist/cli.js');

await build({
  entryPoints: [cli],
  outdir: path.join(app, 'dist'),
  entryNames: '[name]',
  chunkNames: 'cli-[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // undici is large and loaded only for an https target: it stays an ordinary import.
  external: ['undici'],
  // The CommonJS packages bundled in (commander, Ajv) call require() for Node's modules.
  banner: {
    js: "import { createRequire as __cliRequire } from 'node:module';\nconst require = __cliRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// tsc does not keep the shebang file executable; the `mock-sender` bin should run directly.
chmodSync(cli, 0o755);
console.log('bundle-cli: dist/cli.js and its chunks');
