// Build step, after tsc: bundles the program's start (dist/main.js as tsc wrote it: the settings,
// the command line, commander and the secret and token checks) into dist/main.js, one file where
// `webhook-receiver --help` or a configuration error read some 30 ES modules. The running receiver
// (startReceiver.js, imported once the configuration is read) and errors.js (whose classes both
// sides throw and test with instanceof) stay the files tsc wrote, imported from beside main.js.
// The library (dist/index.js and the rest of dist/) is left as tsc wrote it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(app, 'dist');
const main = path.join(dist, 'main.js');
const outside = new Set(['startReceiver.js', 'errors.js'].map((file) => path.join(dist, file)));

await build({
  entryPoints: [main],
  outfile: main,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander is CommonJS and calls require() for Node's modules.
  banner: {
    js: "import { createRequire as __mainRequire } from 'node:module';\nconst require = __mainRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'receiver-modules-outside',
      setup(bundler) {
        bundler.onResolve({ filter: /^\.\.?\// }, ({ path: specifier, resolveDir }) => {
          const file = path.resolve(resolveDir, specifier);
          if (!outside.has(file)) return undefined;
          return { path: `./${path.relative(dist, file)}`, external: true };
        });
      },
    },
  ],
  logLevel: 'warning',
});
console.log('bundle-main: dist/main.js');
