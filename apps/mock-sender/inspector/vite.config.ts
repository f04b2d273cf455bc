import { defineConfig } from 'vite';

// Relative asset URLs, so the same build works under any mount path; hashed file names, so the
// server may cache them for a year; no inline module-preload polyfill, so the CSP needs no
// 'unsafe-inline'.
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
