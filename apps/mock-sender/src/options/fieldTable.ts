// The README's serve field tables, generated from the request schemas so that the documented
// types, bounds and defaults are the ones enforced, and its serve settings table, generated from
// the settings table. `fieldTable.test.ts` fails when the README drifts;
// `pnpm --filter @webhook-contracts/mock-sender run docs` (after a build) rewrites it.
import type { TObject, TSchema } from '@sinclair/typebox';
import { serveSettingsTable } from '../server/serveSettings.js';
import { isOptionName, optionName } from './optionNames.js';
import { CheckRequest, fieldNotes, ReplayRequest, SendRequest } from './SendRequest.js';

function typeName(schema: TSchema): string {
  if (Array.isArray(schema['anyOf'])) return (schema['anyOf'] as TSchema[]).map(typeName).join(' or ');
  if (schema['const'] !== undefined) return JSON.stringify(schema['const']);
  if (schema['type'] === 'array') return `${typeName(schema['items'] as TSchema)}[]`;
  if (schema['type'] === 'object') return 'object';
  return String(schema['type']);
}

const n = (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));

function bounds(schema: TSchema): string[] {
  const parts: string[] = [];
  if (Array.isArray(schema['anyOf'])) for (const v of schema['anyOf'] as TSchema[]) parts.push(...bounds(v));
  if (schema['maximum'] !== undefined && schema['minimum'] === undefined)
    parts.push(`> ${n(schema['exclusiveMinimum'] ?? 0)}, ≤ ${n(schema['maximum'])}`);
  else if (schema['maximum'] !== undefined) parts.push(`${n(schema['minimum'])}–${n(schema['maximum'])}`);
  else if (schema['minimum'] !== undefined) parts.push(`≥ ${n(schema['minimum'])}`);
  if (schema['minItems'] !== undefined && schema['maxItems'] === undefined)
    parts.push(`≥ ${schema['minItems']} entries`);
  if (schema['maxItems'] !== undefined) parts.push(`≤ ${n(schema['maxItems'])} entries`);
  if (schema['maxLength'] !== undefined) parts.push(`≤ ${n(schema['maxLength'])} chars`);
  if (schema['maxProperties'] !== undefined) parts.push(`≤ ${n(schema['maxProperties'])} entries`);
  if (schema['type'] === 'array') parts.push(...bounds(schema['items'] as TSchema).map((b) => `each ${b}`));
  return parts;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The markdown table of one request schema: field, type, bounds, default, CLI flag, meaning. */
export function fieldTable(schema: TObject): string {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(([field, property]) => {
    const notes = fieldNotes(property);
    const flag = isOptionName(field) ? optionName(field, 'flags') : '';
    return [
      `\`${field}\``,
      typeName(property),
      bounds(property).join(', ') || '',
      required.has(field) ? 'required' : (notes.byDefault ?? ''),
      flag.startsWith('--') ? `\`${flag.split(' ')[0]}\`` : '',
      notes.description,
    ];
  });
  return table(['field', 'type', 'bounds', 'default', 'CLI', 'meaning'], rows);
}

/** `readme` with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function replaceSection(
  readme: string,
  name: string,
  content: string,
  source = 'src/options/SendRequest.ts',
): string {
  const start = `<!-- ${name}:start (generated from ${source}: do not edit) -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${start} … ${end} section`);
  return `${readme.slice(0, from + start.length)}\n${content}\n${readme.slice(to)}`;
}

/** `readme` with every generated field table brought up to date. */
export function withFieldTables(readme: string): string {
  const tables: Array<[string, TObject]> = [
    ['send-fields', SendRequest],
    ['replay-fields', ReplayRequest],
    ['check-fields', CheckRequest],
  ];
  const withFields = tables.reduce(
    (text, [name, schema]) => replaceSection(text, name, fieldTable(schema)),
    readme,
  );
  return replaceSection(withFields, 'serve-settings', serveSettingsTable(), 'src/server/serveSettings.ts');
}
