// The Vite build both inspector pages share, and their one HTML template. Loaded by each page's
// vite.config.ts (in Node, at build time), never bundled into a page.
import type { Plugin, UserConfig } from 'vite';

const page = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <link rel="icon" href="data:," />
    <title>${title}</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`;

/**
 * Writes the page from the template, keeping only the `<title>` of the app's index.html (already
 * HTML text). It runs before Vite reads the scripts, so the template's entry is the one bundled.
 */
export const inspectorPage = (): Plugin => ({
  name: 'inspector-page',
  transformIndexHtml: {
    order: 'pre',
    handler(html) {
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
      if (title === undefined)
        throw new Error('index.html has no <title>: the inspector page takes its title from it');
      return page(title);
    },
  },
});

/**
 * An inspector page's Vite config: relative asset URLs, so the same build works under any mount
 * path; hashed file names, so the server may cache them for a year; no inline module-preload
 * polyfill and no inlined assets, so the CSP needs no 'unsafe-inline' and no data: URLs.
 *
 * @example
 * // vite.config.ts
 * export default defineConfig(inspectorViteConfig({ define: { __VERSION__: '"1.0"' } }));
 */
export function inspectorViteConfig(extra: Pick<UserConfig, 'define'> = {}): UserConfig {
  return {
    base: './',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    plugins: [inspectorPage()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
    },
    ...extra,
  };
}
