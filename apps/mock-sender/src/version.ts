import { readFileSync } from 'node:fs';

// package.json sits one level above both src/ and dist/, so the same relative URL works in both.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const version: string = pkg.version;
export const userAgent = `webhook-contracts-mock-sender/${version}`;
