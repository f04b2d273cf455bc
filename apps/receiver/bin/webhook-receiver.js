#!/usr/bin/env node
// The installed command: runs the built entry point (in the repository, build first: `npm run build`).
import '../dist/main.js';
