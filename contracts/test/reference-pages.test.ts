// The generated reference pages under docs/reference/ that contracts/ writes: each is exactly what
// its source renders, so a route, a bound or a default stated there is the one the code enforces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiverRoutes } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { describeSchema, routesPage, routesPageFile } from '../scripts/routesPage.js';

const read = (file: string) => readFileSync(join(contractsDir, '..', file), 'utf8');

describe('docs/reference/receiver-routes.md', () => {
  it('is what `npm run generate` renders from receiverRoutes', () => {
    expect(
      read(routesPageFile) === routesPage(),
      `${routesPageFile} is stale: run \`npm run generate\``,
    ).toBe(true);
  });

  it('has one section per route, with the bounds of its parameters', () => {
    const page = routesPage();
    const sections = [...page.matchAll(/^## `(GET|POST) (\S+)`$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(sections).toEqual(receiverRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect(page).toMatch(/^\| `limit` +\| query \| +\| integer 1–500, default 50 +\|/m);
    expect(page).toMatch(/^\| `cursor` +\| query \| +\| string ≤ 4,096 chars +\|/m);
  });

  it('words a comma list and an enum', () => {
    const exportRoute = receiverRoutes.find((r) => r.path === '/events/export')!;
    const type = exportRoute.parameters.find((p) => p.name === 'type')!;
    expect(describeSchema(type.schema)).toBe('comma list of string ≤ 256 chars ≤ 100 values');
    const status = exportRoute.parameters.find((p) => p.name === 'status')!;
    expect(describeSchema(status.schema)).toMatch(/^comma list of one of `received`, `processed`/);
  });
});
