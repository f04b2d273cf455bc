// The generated reference pages under docs/reference/ that contracts/ writes: each is exactly what
// its source renders, so a route, a bound, a default or an entry point stated there is the code's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiverRoutes } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import {
  entryPoints,
  entryPointsPage,
  entryPointsPageFile,
  exportedValues,
  leadingComment,
} from '../scripts/entryPointsPage.js';
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

describe('docs/reference/entry-points.md', () => {
  it("is what `npm run generate` renders from the packages' exports", () => {
    expect(
      read(entryPointsPageFile) === entryPointsPage(),
      `${entryPointsPageFile} is stale: run \`npm run generate\``,
    ).toBe(true);
  });

  it('has a section for every subpath of every published package', () => {
    const specifiers = entryPoints().map((point) => point.specifier);
    expect(specifiers).toEqual([
      '@webhook-contracts/schema',
      '@webhook-contracts/schema/constants',
      '@webhook-contracts/schema/lesson',
      '@webhook-contracts/webhooks',
      '@webhook-contracts/webhooks/secrets',
      '@webhook-contracts/webhooks/signer',
      '@webhook-contracts/receiver',
      '@webhook-contracts/receiver/postgres',
      '@webhook-contracts/mock-sender',
    ]);
  });

  it.each(entryPoints().map((point) => [point.specifier, point] as const))(
    'lists exactly the values %s exports at run time',
    async (specifier, point) => {
      const module = (await import(specifier)) as Record<string, unknown>;
      const whole = await Promise.all(
        point.starFrom.map(async (file) => Object.keys(await import(join(contractsDir, '..', file)))),
      );
      expect([...point.values, ...whole.flat()].sort()).toEqual(Object.keys(module).sort());
    },
  );

  it("reads a module's value exports and leaves its types out", () => {
    const text = "export { a, type B, c as d } from './x.js';\nexport const e = 1;\nexport function f() {}\n";
    expect(exportedValues(text)).toEqual(['a', 'd', 'e', 'f']);
    expect(leadingComment('// one\n// two\nexport {};\n')).toBe('one two');
  });
});
