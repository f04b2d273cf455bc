// The mock sender's reference pages in docs/reference/: the fields of send, replay and check
// (serve's request bodies and the CLI's flags), generated from the request schemas so that the
// documented types, bounds and defaults are the ones enforced, and serve's settings, generated from
// the settings table. `npm run generate` writes them; `fieldTable.test.ts` fails when they drift.
import type { TObject, TSchema } from '@sinclair/typebox';
import { ExportLine } from '@webhook-contracts/schema';
import { ReplayLine } from '../replay/ReplayLine.js';
import { serveSettingsTable } from '../server/serveSettings.js';
import { isOptionName, optionName } from './optionNames.js';
import { CheckRequest, fieldNotes, ReplayRequest, SendRequest } from './SendRequest.js';

function typeName(schema: TSchema): string {
  if (Array.isArray(schema['anyOf'])) return (schema['anyOf'] as TSchema[]).map(typeName).join(' or ');
  if (schema['const'] !== undefined) return JSON.stringify(schema['const']);
  if (schema['type'] === 'array') {
    const items = schema['items'] as TSchema;
    return Array.isArray(items['anyOf']) ? `(${typeName(items)})[]` : `${typeName(items)}[]`;
  }
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

/** The fields of one NDJSON line shape: field, type, meaning (the schema's descriptions). */
function lineTable(schema: TObject): string {
  const rows = Object.entries(schema.properties).map(([field, property]) => [
    `\`${field}\``,
    property['type'] === undefined && property['anyOf'] === undefined ? 'any JSON value' : typeName(property),
    String(
      property['description'] ??
        (property['anyOf'] as TSchema[] | undefined)?.find((v) => v['description'] !== undefined)?.[
          'description'
        ] ??
        '',
    ),
  ]);
  return table(['field', 'type', 'meaning'], rows);
}

/** The replay input section: the two line shapes `replay --from FILE` reads. */
function replayInputSection(): string[] {
  return [
    '## Replay input',
    '',
    '`replay --from FILE` (or `-`) reads NDJSON, one event per line, at most 16 MiB a line; a bad',
    'line stops the replay (exit 2; from a file, before anything is sent), naming its number. A line',
    "is this receiver's export line, `ExportLine` in the",
    '[OpenAPI document](../../contracts/openapi.json) (`GET /events/export`), in `received_at` order:',
    '',
    lineTable(ExportLine),
    '',
    'or a plain line, for events from your own store (other fields are ignored; it has no time, so',
    '`--since`, `--until` and `--speed` do not apply to it):',
    '',
    lineTable(ReplayLine),
    '',
  ];
}

/** Where the pages live, from the repository root. */
export const optionsPageFile = 'docs/reference/mock-sender-options.md';
export const serveSettingsPageFile = 'docs/reference/mock-sender-serve-settings.md';

// The note names the source by what it is, not by a path that may move.
const note = (source: string) => `<!-- generated by \`npm run generate\` from ${source}; do not edit -->`;

/** docs/reference/mock-sender-options.md: one table per command, its serve body and its CLI flags. */
export function optionsPage(): string {
  const sections: Array<[string, string, TObject]> = [
    [
      '`send` and `POST /send`',
      "The run's size, (examples + `generate`) × `duplicates`, is at most 100,000.",
      SendRequest,
    ],
    [
      '`replay` and `POST /replay`',
      'A replay reads at most 100,000 lines and 512 MiB from its source.',
      ReplayRequest,
    ],
    ['`check` and `POST /check`', '', CheckRequest],
  ];
  return [
    note("the mock sender's request schemas"),
    '',
    '# Mock sender options',
    '',
    'Each field of a `serve` request body, with the CLI flag that sets it. Bounds are inclusive and',
    "are serve's: the CLI takes the same options without serve's upper bounds. A field out of bounds",
    'is refused with `400 invalid_request`, one `details` entry `{ field, message }` per problem.',
    '',
    ...sections.flatMap(([title, intro, schema]) => [
      `## ${title}`,
      '',
      ...(intro === '' ? [] : [intro, '']),
      fieldTable(schema),
      '',
    ]),
    ...replayInputSection(),
  ].join('\n');
}

/** docs/reference/mock-sender-serve-settings.md: `mock-sender serve`'s settings. */
export function serveSettingsPage(): string {
  return [
    note("the mock sender's serve settings table"),
    '',
    '# Mock sender serve settings',
    '',
    'The settings of `mock-sender serve`: each is an environment variable, and a flag that wins over',
    'it except for the secrets (flags show in `ps`). A bad setting stops the start with exit 2 and a',
    'message naming it; `mock-sender serve --help` lists them.',
    '',
    serveSettingsTable(),
    '',
  ].join('\n');
}
