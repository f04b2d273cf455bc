#!/usr/bin/env node
// The installed command: runs the built CLI (in the repository, build first: `npm run build`).
import '../dist/cli.js';
