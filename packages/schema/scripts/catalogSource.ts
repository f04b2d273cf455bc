// Generates the TypeBox source of the webhook catalog from @whop/sdk's type declarations. It walks
// the union `UnwrapWebhookEvent` (resources/webhooks.d.ts) with the TypeScript compiler API and
// emits one TypeBox schema per named declaration it reaches, so a resource shared by several
// events (Payment, Membership, ...) is defined once and referenced. Pure: `catalogFiles()` returns
// the files, scripts/generate.ts writes them and test/catalog.test.ts compares them.
//
// Mapping rules (the SDK declarations are the contract):
// - `interface` -> Type.Object, open (no additionalProperties: false), `?` keys Type.Optional;
// - `T | null` -> nullable (`type: [T, 'null']` for scalars, anyOf [T, null] otherwise);
// - string-literal unions (named aliases become shared definitions) -> `{ type: 'string', enum }`;
// - `string` fields whose doc comment calls them ISO 8601 or a "datetime" / "date and time" ->
//   format date-time (the SDK types say `string`; its comments say which are timestamps; fields
//   documented "as a Unix timestamp" stay plain strings, the declared type being string);
// - a union of objects (`User | Company`, told apart by `typename`) -> Type.Union;
// - doc comments become `description`.
// course_lesson_interaction.completed keeps its hand-checked contract (src/events/), so its data
// type is not generated; the drift test holds it to the SDK like every other event.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { formatTypeScript } from './formatTypeScript.js';

export const SDK_PACKAGE = '@whop/sdk';
/** Event types whose schema is written by hand (src/events/); the generator leaves them alone. */
export const HAND_WRITTEN_TYPES: ReadonlySet<string> = new Set(['course_lesson_interaction.completed']);

export interface GeneratedFile {
  /** Path relative to packages/schema. */
  path: string;
  content: string;
}

export interface CatalogEvent {
  type: string;
  /** The SDK interface, e.g. PaymentSucceededWebhookEvent. */
  sdkName: string;
  /** Our schema's export name, e.g. PaymentSucceeded. */
  name: string;
  /** The export name of its `data` schema. */
  dataName: string;
  description: string;
}

function sdkRoot(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map hides package.json; its `./resources/*` entry resolves.
  return dirname(dirname(require.resolve(`${SDK_PACKAGE}/resources/webhooks.js`)));
}

export function sdkVersion(): string {
  return (JSON.parse(readFileSync(join(sdkRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const DATE_TIME_COMMENT = /ISO 8601|\bdatetime\b|\bdate and time\b/i;
const UNIX_COMMENT = /unix timestamp/i;

type Node =
  | { kind: 'string'; dateTime: boolean }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'null' }
  | { kind: 'unknown' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'enum'; values: string[] }
  | { kind: 'ref'; name: string }
  | { kind: 'array'; item: Node }
  | { kind: 'record'; value: Node }
  | { kind: 'nullable'; inner: Node }
  | { kind: 'union'; members: Node[] };

interface Property {
  key: string;
  optional: boolean;
  node: Node;
  description: string;
}

type Definition =
  | { kind: 'object'; name: string; description: string; properties: Property[] }
  | { kind: 'enum'; name: string; description: string; values: string[] };

class Walker {
  readonly definitions = new Map<string, Definition>();
  private readonly names = new Map<string, string>(); // our name -> qualified SDK name
  private readonly checker: ts.TypeChecker;

  constructor(program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  /** `"…/resources/shared".Payment` -> ['Payment']; nested namespaces keep their path. */
  private nameOf(symbol: ts.Symbol): string {
    const qualified = this.checker.getFullyQualifiedName(symbol);
    const local = qualified.replace(/^".*?"\./, '');
    const name = local
      .split('.')
      .map((part) => part.replace(/WebhookEvent$/, ''))
      .join('');
    const previous = this.names.get(name);
    if (previous !== undefined && previous !== qualified) {
      throw new Error(`Two SDK declarations map to the name ${name}: ${previous} and ${qualified}`);
    }
    this.names.set(name, qualified);
    return name;
  }

  private docOf(symbol: ts.Symbol | undefined): string {
    if (!symbol) return '';
    return ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).replace(/\s+/g, ' ').trim();
  }

  node(type: ts.Type, context: string, dateTime: boolean): Node {
    const c = this.checker;
    if (type.flags & ts.TypeFlags.Union) {
      const members = (type as ts.UnionType).types;
      const hasNull = members.some((t) => t.flags & ts.TypeFlags.Null);
      const rest = members.filter(
        (t) => !(t.flags & ts.TypeFlags.Null) && !(t.flags & ts.TypeFlags.Undefined),
      );
      let inner: Node;
      if (rest.length > 0 && rest.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) {
        inner = rest.length === 2 ? { kind: 'boolean' } : this.node(rest[0]!, context, dateTime);
      } else if (rest.length > 0 && rest.every((t) => t.isStringLiteral())) {
        const values = rest.map((t) => (t as ts.StringLiteralType).value);
        const alias = type.aliasSymbol;
        if (alias && !hasNull) {
          const name = this.nameOf(alias);
          if (!this.definitions.has(name)) {
            this.definitions.set(name, { kind: 'enum', name, description: this.docOf(alias), values });
          }
          inner = { kind: 'ref', name };
        } else {
          inner = { kind: 'enum', values };
        }
      } else if (rest.length === 1) {
        inner = this.node(rest[0]!, context, dateTime);
      } else if (rest.length > 1 && rest.every((t) => t.flags & ts.TypeFlags.Object)) {
        // e.g. `owner: User | Company | null`, told apart by a `typename` literal in each object.
        inner = { kind: 'union', members: rest.map((t) => this.node(t, context, dateTime)) };
      } else {
        throw new Error(`${context}: unsupported union ${c.typeToString(type)}`);
      }
      return hasNull ? { kind: 'nullable', inner } : inner;
    }
    if (type.flags & ts.TypeFlags.String) return { kind: 'string', dateTime };
    if (type.flags & ts.TypeFlags.Number) return { kind: 'number' };
    if (type.flags & ts.TypeFlags.Boolean) return { kind: 'boolean' };
    if (type.flags & ts.TypeFlags.Null) return { kind: 'null' };
    if (type.flags & ts.TypeFlags.Unknown) return { kind: 'unknown' };
    if (type.isStringLiteral()) return { kind: 'literal', value: type.value };
    if (type.isNumberLiteral()) return { kind: 'literal', value: type.value };
    if (type.flags & ts.TypeFlags.BooleanLiteral) {
      return { kind: 'literal', value: c.typeToString(type) === 'true' };
    }
    if (c.isArrayType(type)) {
      const [item] = c.getTypeArguments(type as ts.TypeReference);
      return { kind: 'array', item: this.node(item!, `${context}[]`, dateTime) };
    }
    if (type.flags & ts.TypeFlags.Object) {
      const stringIndex = c.getIndexInfoOfType(type, ts.IndexKind.String);
      if (stringIndex && c.getPropertiesOfType(type).length === 0) {
        return { kind: 'record', value: this.node(stringIndex.type, `${context}{}`, false) };
      }
      const symbol = type.aliasSymbol ?? type.getSymbol();
      if (!symbol || symbol.getName() === '__type' || symbol.getName() === '__object') {
        throw new Error(`${context}: anonymous object type ${c.typeToString(type)} has no name to share`);
      }
      if (stringIndex) throw new Error(`${context}: object with both keys and an index signature`);
      return { kind: 'ref', name: this.object(type, symbol) };
    }
    throw new Error(`${context}: unsupported type ${c.typeToString(type)}`);
  }

  object(type: ts.Type, symbol: ts.Symbol): string {
    const name = this.nameOf(symbol);
    if (this.definitions.has(name)) return name;
    const definition: Definition = { kind: 'object', name, description: this.docOf(symbol), properties: [] };
    this.definitions.set(name, definition); // before the walk, so a cycle would terminate
    for (const property of this.checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!declaration) throw new Error(`${name}.${property.getName()}: no declaration`);
      const propertyType = this.checker.getTypeOfSymbolAtLocation(property, declaration);
      const description = this.docOf(property);
      const dateTime = DATE_TIME_COMMENT.test(description) && !UNIX_COMMENT.test(description);
      definition.properties.push({
        key: property.getName(),
        optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
        node: this.node(propertyType, `${name}.${property.getName()}`, dateTime),
        description,
      });
    }
    return name;
  }
}

function createProgram(): { program: ts.Program; webhooks: ts.SourceFile } {
  const file = join(sdkRoot(), 'resources', 'webhooks.d.ts');
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  });
  const webhooks = program.getSourceFile(file);
  if (!webhooks) throw new Error(`Cannot read ${file}`);
  return { program, webhooks };
}

interface Catalog {
  events: CatalogEvent[];
  definitions: Definition[];
}

/** Walks `UnwrapWebhookEvent` and returns the events and the definitions they reach, in dependency order. */
export function readCatalog(): Catalog {
  const { program, webhooks } = createProgram();
  const checker = program.getTypeChecker();
  const union = webhooks.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'UnwrapWebhookEvent',
  );
  if (!union || !ts.isUnionTypeNode(union.type)) throw new Error('UnwrapWebhookEvent is not a union');
  const walker = new Walker(program);
  const events: CatalogEvent[] = [];
  for (const member of union.type.types) {
    const eventType = checker.getTypeFromTypeNode(member);
    const sdkName = member.getText(webhooks);
    const typeProperty = eventType.getProperty('type');
    const dataProperty = eventType.getProperty('data');
    if (!typeProperty || !dataProperty) throw new Error(`${sdkName} has no type or data`);
    const literal = checker.getTypeOfSymbol(typeProperty);
    if (!literal.isStringLiteral()) throw new Error(`${sdkName}.type is not a string literal`);
    const expected = ['id', 'api_version', 'data', 'timestamp', 'type', 'company_id'];
    const keys = checker.getPropertiesOfType(eventType).map((p) => p.getName());
    if (keys.join() !== expected.join()) {
      throw new Error(`${sdkName} has envelope keys ${keys.join()}, expected ${expected.join()}`);
    }
    const type = literal.value;
    const name = sdkName.replace(/WebhookEvent$/, '');
    const description = ts
      .displayPartsToString(dataProperty.getDocumentationComment(checker))
      .replace(/\s+/g, ' ')
      .trim();
    let dataName = '';
    if (!HAND_WRITTEN_TYPES.has(type)) {
      const node = walker.node(checker.getTypeOfSymbol(dataProperty), `${sdkName}.data`, false);
      if (node.kind !== 'ref') throw new Error(`${sdkName}.data is not a named object`);
      dataName = node.name;
    }
    events.push({ type, sdkName, name, dataName, description });
  }
  events.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { events, definitions: dependencyOrder(walker.definitions) };
}

function refsOf(node: Node, into: string[]): void {
  switch (node.kind) {
    case 'ref':
      into.push(node.name);
      return;
    case 'array':
      refsOf(node.item, into);
      return;
    case 'record':
      refsOf(node.value, into);
      return;
    case 'nullable':
      refsOf(node.inner, into);
      return;
    case 'union':
      for (const member of node.members) refsOf(member, into);
      return;
    default:
      return;
  }
}

/** Definitions sorted by name, each after the ones it references (TypeBox needs them defined first). */
function dependencyOrder(definitions: Map<string, Definition>): Definition[] {
  const done = new Set<string>();
  const active = new Set<string>();
  const out: Definition[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    if (active.has(name))
      throw new Error(`Recursive SDK type ${name}: the generator does not support cycles`);
    active.add(name);
    const definition = definitions.get(name);
    if (!definition) throw new Error(`Unknown definition ${name}`);
    if (definition.kind === 'object') {
      const refs: string[] = [];
      for (const p of definition.properties) refsOf(p.node, refs);
      for (const ref of refs) visit(ref);
    }
    active.delete(name);
    done.add(name);
    out.push(definition);
  };
  for (const name of [...definitions.keys()].sort()) visit(name);
  return out;
}

// ---- emit ----

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function options(entries: Record<string, string | undefined>): string {
  const parts = Object.entries(entries)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}: ${v}`);
  return parts.length === 0 ? '' : `{ ${parts.join(', ')} }`;
}

function emitNode(node: Node, description: string): string {
  const desc = description === '' ? undefined : q(description);
  switch (node.kind) {
    case 'string':
      return `Type.String(${options({ format: node.dateTime ? q('date-time') : undefined, description: desc })})`;
    case 'number':
      return `Type.Number(${options({ description: desc })})`;
    case 'boolean':
      return `Type.Boolean(${options({ description: desc })})`;
    case 'null':
      return `Type.Null(${options({ description: desc })})`;
    case 'unknown':
      return `Type.Unknown(${options({ description: desc })})`;
    case 'literal':
      return `Type.Literal(${typeof node.value === 'string' ? q(node.value) : String(node.value)}${desc ? `, ${options({ description: desc })}` : ''})`;
    case 'enum':
      return `StringEnum([${node.values.map(q).join(', ')}]${desc ? `, ${options({ description: desc })}` : ''})`;
    case 'ref':
      return node.name;
    case 'array':
      return `Type.Array(${emitNode(node.item, '')}${desc ? `, ${options({ description: desc })}` : ''})`;
    case 'record':
      return `Type.Record(Type.String(), ${emitNode(node.value, '')}${desc ? `, ${options({ description: desc })}` : ''})`;
    case 'nullable': {
      const inner = node.inner;
      const opts = options({ description: desc });
      if (inner.kind === 'string') {
        return `NullableString(${options({ format: inner.dateTime ? q('date-time') : undefined, description: desc })})`;
      }
      if (inner.kind === 'number' || inner.kind === 'boolean') {
        return `NullableScalar(${q(inner.kind)}${opts ? `, ${opts}` : ''})`;
      }
      if (inner.kind === 'enum') {
        return `NullableStringEnum([${inner.values.map(q).join(', ')}]${opts ? `, ${opts}` : ''})`;
      }
      if (inner.kind === 'union') {
        return `Type.Union([${[...inner.members.map((m) => emitNode(m, '')), 'Type.Null()'].join(', ')}]${opts ? `, ${opts}` : ''})`;
      }
      return `Nullable(${emitNode(inner, '')}${opts ? `, ${opts}` : ''})`;
    }
    case 'union':
      return `Type.Union([${node.members.map((m) => emitNode(m, '')).join(', ')}]${desc ? `, ${options({ description: desc })}` : ''})`;
  }
}

function emitProperty(p: Property): string {
  const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(p.key) ? p.key : q(p.key);
  const value = emitNode(p.node, p.description);
  return `    ${key}: ${p.optional ? `Type.Optional(${value})` : value},`;
}

function header(version: string): string {
  return [
    `// generated by \`npm run generate\` (packages/schema/scripts/generate.ts) from ${SDK_PACKAGE}@${version}; do not edit.`,
    '// Move the catalog to another SDK version: see "Catalog" in packages/schema/README.md.',
  ].join('\n');
}

function emitResources(catalog: Catalog, version: string): string {
  const lines = [
    header(version),
    "import { type Static, Type } from '@sinclair/typebox';",
    "import { NullableString } from '../NullableString.js';",
    "import { Nullable, NullableScalar, NullableStringEnum, StringEnum } from './schemaHelpers.js';",
    '',
  ];
  for (const d of catalog.definitions) {
    if (d.description) lines.push(`/** ${d.description.replace(/\*\//g, '*\\/')} */`);
    if (d.kind === 'enum') {
      lines.push(
        `export const ${d.name} = StringEnum([${d.values.map(q).join(', ')}], ${options({ title: q(d.name), description: d.description ? q(d.description) : undefined })});`,
      );
    } else {
      lines.push(`export const ${d.name} = Type.Object(`);
      lines.push('  {');
      for (const p of d.properties) lines.push(emitProperty(p));
      lines.push('  },');
      lines.push(
        `  ${options({ title: q(d.name), description: d.description ? q(d.description) : undefined })},`,
      );
      lines.push(');');
    }
    lines.push(`export type ${d.name} = Static<typeof ${d.name}>;`, '');
  }
  return lines.join('\n');
}

function emitEvents(catalog: Catalog, version: string): string {
  const generated = catalog.events.filter((e) => !HAND_WRITTEN_TYPES.has(e.type));
  const dataNames = [...new Set(generated.map((e) => e.dataName))].sort();
  const lines = [
    header(version),
    "import type { Static } from '@sinclair/typebox';",
    "import { eventEnvelope } from '../Envelope.js';",
    `import { ${dataNames.join(', ')} } from './resources.js';`,
    '',
  ];
  for (const e of generated) {
    lines.push(
      `/** The \`${e.type}\` webhook payload. */`,
      `export const ${e.name} = eventEnvelope(${q(e.type)}, ${e.dataName}, {`,
      `  title: ${q(e.name)},`,
      `  description: ${q(`Sent on ${e.type}. data: ${e.description || e.dataName}`)},`,
      '});',
      `export type ${e.name} = Static<typeof ${e.name}>;`,
      '',
    );
  }
  lines.push(
    '/** Every generated event schema, sorted by type. */',
    'export const generatedEventSchemas = [',
    ...generated.map((e) => `  ${e.name},`),
    '] as const;',
    '',
  );
  return lines.join('\n');
}

/** The catalog's types as a plain list: what a program's start-up reads without loading TypeBox. */
function emitEventTypeNames(catalog: Catalog, version: string): string {
  return [
    header(version),
    '/** Every event type of the catalog, sorted: the same list as `knownEventTypes`, without the schemas. */',
    'export const eventTypeNames = [',
    ...catalog.events.map((e) => `  ${q(e.type)},`),
    '] as const;',
    '',
  ].join('\n');
}

/** tsc assertions that each event's static type and the SDK's agree (see the emitted comment). */
function emitDriftAssertions(catalog: Catalog, version: string): string {
  const lines = [
    header(version),
    '// Type-level drift check, run by `tsc` in `npm run typecheck`. For every event type: the static',
    "// type of our schema and the SDK's event type are assignable both ways (types, nullability,",
    '// required keys, enums), and both have the same keys at every level (which also catches an',
    '// optional field one side lacks). A difference fails here with the field named in the error.',
    "import type * as Sdk from '@whop/sdk/resources/webhooks.mjs';",
    "import type * as Ours from '../src/index.js';",
    "import type { Assignable, KeyDrift, NoKeyDrift, WithoutEnvelopeExtras } from './driftTypes.js';",
    '',
    'export type CatalogDrift = [',
    ...catalog.events.flatMap((e) => [
      `  Assignable<Ours.${e.name}, Sdk.${e.sdkName}>,`,
      `  Assignable<Sdk.${e.sdkName}, Ours.${e.name}>,`,
      `  NoKeyDrift<KeyDrift<WithoutEnvelopeExtras<Ours.${e.name}>, Sdk.${e.sdkName}>>,`,
    ]),
    '];',
    '',
  ];
  return lines.join('\n');
}

/** The table of supported types: type, data object, example file. */
export function supportedTypesTable(catalog: Catalog): string {
  const rows = catalog.events.map((e) => {
    const data = e.dataName || 'CourseLessonInteraction';
    const example = HAND_WRITTEN_TYPES.has(e.type) ? 'docs-page.json' : 'valid.example.json';
    return [`\`${e.type}\``, `\`${data}\``, `[${example}](../../contracts/examples/${e.type}/${example})`];
  });
  const table = [['type', 'data object', 'example'], ...rows];
  // Padded the way Markdown formatters write tables, so formatting leaves it alone.
  const widths = [0, 1, 2].map((i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(table[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Where the catalog page lives, from this package's folder. */
export const CATALOG_PAGE = '../../docs/reference/event-catalog.md';

/** docs/reference/event-catalog.md: the generated note, how the catalog is made, the table. */
export function catalogPage(catalog: Catalog, version: string): string {
  return [
    `<!-- generated by \`npm run generate\` (packages/schema/scripts/generate.ts) from ${SDK_PACKAGE}@${version}; do not edit -->`,
    '',
    '# Event catalog',
    '',
    `The ${catalog.events.length} event types of the contract, generated from the type declarations of`,
    `\`${SDK_PACKAGE}\` ${version}, each with its data object (a TypeBox schema and a type of the same`,
    'name, exported by `@webhook-contracts/schema`) and the example the contract tests hold it to.',
    '',
    supportedTypesTable(catalog),
    '',
  ].join('\n');
}

/** Every generated file of packages/schema (the catalog page included), from the installed SDK, formatted. */
export function catalogFiles(): GeneratedFile[] {
  const catalog = readCatalog();
  const version = sdkVersion();
  const typescript = (path: string, source: string): GeneratedFile => ({
    path,
    content: formatTypeScript(`packages/schema/${path}`, source),
  });
  return [
    typescript('src/catalog/resources.ts', emitResources(catalog, version)),
    typescript('src/catalog/events.ts', emitEvents(catalog, version)),
    typescript('src/catalog/eventTypeNames.ts', emitEventTypeNames(catalog, version)),
    typescript('test/sdkDrift.ts', emitDriftAssertions(catalog, version)),
    { path: CATALOG_PAGE, content: catalogPage(catalog, version) },
  ];
}
