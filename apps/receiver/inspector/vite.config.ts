import { MembershipStatus } from '@webhook-contracts/schema';
import { defineConfig } from 'vite';

// Relative asset URLs, so the same build works under any mount path; hashed file names, so the
// server may cache them for a year; no inline module-preload polyfill, so the CSP needs no
// 'unsafe-inline'. The membership statuses come from the schema here, at build time: importing
// the enum in the page would bundle TypeBox and the generated catalog (six times the page's size).
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  define: { __MEMBERSHIP_STATUSES__: JSON.stringify(MembershipStatus.enum) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
