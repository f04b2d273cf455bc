import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeDir } from './codeDir.js';

// package.json sits one level above both src/ and dist/.
const pkg = JSON.parse(readFileSync(join(codeDir, '../package.json'), 'utf8')) as {
  version: string;
};

export const version: string = pkg.version;
export const userAgent = `webhook-contracts-mock-sender/${version}`;
