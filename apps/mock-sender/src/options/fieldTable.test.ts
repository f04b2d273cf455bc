import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serveSettingsTable } from '../server/serveSettings.js';
import {
  fieldTable,
  optionsPage,
  optionsPageFile,
  serveSettingsPage,
  serveSettingsPageFile,
} from './fieldTable.js';
import { SendRequest } from './SendRequest.js';

const read = (file: string) => readFileSync(new URL(`../../../../${file}`, import.meta.url), 'utf8');

describe('the mock sender reference pages', () => {
  it('are what `npm run generate` renders from the request schemas and the serve settings', () => {
    expect(
      read(optionsPageFile) === optionsPage(),
      `${optionsPageFile} is stale: run \`npm run generate\``,
    ).toBe(true);
    expect(
      read(serveSettingsPageFile) === serveSettingsPage(),
      `${serveSettingsPageFile} is stale: run \`npm run generate\``,
    ).toBe(true);
  });

  it("state serve's bounds and each field's CLI flag", () => {
    const table = fieldTable(SendRequest);
    expect(table).toMatch(/^\| `generate` +\| integer +\| 1–100,000 +\| +\| `--generate` +\|/m);
    expect(table).toMatch(
      /^\| `retrySchedule` +\| number\[\] +\| ≤ 10 entries, each 0–3,600 +\| \[10, 20, 40\] +\| `--retry-schedule` +\|/m,
    );
    expect(table).toMatch(/^\| `to` +\| string +\| ≤ 2,048 chars +\| required +\| `--to` +\|/m);
    expect(optionsPage()).toContain(table);
  });

  it('list every serve setting with its flag, range and default', () => {
    const table = serveSettingsTable();
    expect(serveSettingsPage()).toContain(table);
    expect(table).toMatch(
      /^\| `SENDER_MAX_RUN_SECONDS` +\| `--max-run-seconds` +\| 1–86400 +\| 3600 +\| longest a run may take/m,
    );
    expect(table).toMatch(/^\| `SENDER_API_TOKEN` +\| \(environment only\) +\|/m);
    expect(table).toMatch(
      /^\| `RECEIVER_API_TOKEN` +\| \(environment only\) +\| +\| none +\| .*SENDER_ALLOWED_SOURCES only/m,
    );
  });
});
