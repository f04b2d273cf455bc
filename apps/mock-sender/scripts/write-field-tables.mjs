// Rewrites the README's generated serve field tables from the built request schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFieldTables } from '../dist/options/fieldTable.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, withFieldTables(readFileSync(path, 'utf8')));
