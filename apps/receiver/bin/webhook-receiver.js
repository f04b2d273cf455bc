#!/usr/bin/env node
// The installed command: runs the built entry point (build first: `pnpm build`).
import '../dist/main.js';
