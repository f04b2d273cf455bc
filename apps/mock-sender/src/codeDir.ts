// The folder of the running code: dist/ when built (the bundled CLI's files sit there too), src/
// under the tests. Files shipped beside the code (package.json, dist/examples, inspector/dist) are
// found from here rather than from each module's own URL, which in the bundled CLI is its chunk's.
import { fileURLToPath } from 'node:url';

export const codeDir: string = fileURLToPath(new URL('./', import.meta.url));
