import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { settings } from './settings.js';
import { settingsMarkdown, withSettingsTable } from './settingsMarkdown.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

describe('the README configuration table', () => {
  it('is the one generated from the settings table', () => {
    const stale = withSettingsTable(readme) !== readme;
    expect(stale, 'apps/receiver/README.md is stale: run `npm run generate`').toBe(false);
  });

  it('lists every setting with its environment variable and flag', () => {
    const table = settingsMarkdown();
    for (const setting of Object.values(settings)) {
      expect(table).toContain(`| \`${setting.env}\``);
      expect(table).toContain(`\`${setting.flag.split(' ')[0]}\``);
    }
    expect(table).toContain('| `PORT`');
    expect(table.split('\n')).toHaveLength(Object.keys(settings).length + 2);
  });

  it('refuses a README without the markers', () => {
    expect(() => withSettingsTable('# no table here')).toThrow(/no "<!-- settings:start/);
  });
});
