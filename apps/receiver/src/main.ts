#!/usr/bin/env node
// Entry point: read config, open the store, listen; SIGTERM/SIGINT shut down gracefully.
import { runReceiver } from './runReceiver.js';

await runReceiver();
