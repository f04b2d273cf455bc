// Rewrites the README's generated serve field tables from the built request schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { fieldTable, replaceSection } from '../dist/options/fieldTable.js';
import { CheckRequest, SendRequest } from '../dist/options/SendRequest.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = replaceSection(
  replaceSection(readme, 'send-fields', fieldTable(SendRequest)),
  'check-fields',
  fieldTable(CheckRequest),
);
writeFileSync(path, next);
