#!/usr/bin/env node
// The installed command: runs the built CLI (build first: `pnpm build`).
import '../dist/cli.js';
