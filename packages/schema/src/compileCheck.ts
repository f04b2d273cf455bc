// A yes/no validator generated for the JSON Schema subset the contract is written in (type, enum,
// const, required, properties, items, anyOf, $ref to definitions, date-time format, open records).
// It is the fast path of every validation: no error objects, no instance paths, it stops at the
// first failure, and each titled definition (Payment, Membership, …) is one function shared by every
// event that uses it. Ajv, run only when this says no, gives the verdict and the errors users see,
// so this check only has to be at least as strict as Ajv: a `false` it should not have given costs
// time, never a wrong answer. A schema using anything outside the subset compiles to undefined.
import { isDateTime } from './isDateTime.js';

type Schema = Record<string, unknown>;

/** A compiled check: true only for values Ajv would accept. */
export type Check = (value: unknown) => boolean;

// Keywords that never affect the verdict.
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'default', '$comment', 'deprecated']);
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'required',
  'properties',
  'items',
  'anyOf',
  '$ref',
  'format',
]);
const TYPE_TESTS: Record<string, (v: string) => string> = {
  string: (v) => `typeof ${v} === 'string'`,
  number: (v) => `(typeof ${v} === 'number' && Number.isFinite(${v}))`,
  integer: (v) => `Number.isInteger(${v})`,
  boolean: (v) => `typeof ${v} === 'boolean'`,
  null: (v) => `${v} === null`,
  object: (v) => `(typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v}))`,
  array: (v) => `Array.isArray(${v})`,
};

class Unsupported extends Error {}

/**
 * Definition checks shared across compiled schemas, keyed by the definition's JSON (the same title
 * with a different body is a different check).
 */
const sharedDefinitions = new Map<string, Check>();

/**
 * Compiles `schema` (plain JSON Schema whose `$ref`s point into its own `definitions`) into a check,
 * or undefined when the schema uses a keyword outside the subset.
 *
 * @example
 * const check = compileCheck(withDefinitions(PaymentSucceeded));
 * if (check !== undefined && check(JSON.parse(body))) console.log('valid');
 */
export function compileCheck(schema: object): Check | undefined {
  const definitions = (schema as { definitions?: Record<string, Schema> }).definitions ?? {};
  const local = new Map<string, { check: Check }>();
  try {
    const resolve = (name: string): { check: Check } => {
      const known = local.get(name);
      if (known !== undefined) return known;
      const definition = definitions[name];
      if (definition === undefined) throw new Unsupported(`no definition ${name}`);
      const key = `${name}:${JSON.stringify(definition)}`;
      // A cell, filled after the body compiles, so a definition that refers to itself terminates.
      const cell = { check: (() => false) as Check };
      local.set(name, cell);
      const shared = sharedDefinitions.get(key);
      if (shared !== undefined) cell.check = shared;
      else {
        cell.check = compileBody(definition, resolve);
        sharedDefinitions.set(key, cell.check);
      }
      return cell;
    };
    const { definitions: _, ...root } = schema as Schema;
    return compileBody(root, resolve);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function compileBody(schema: Schema, resolve: (name: string) => { check: Check }): Check {
  const constants: unknown[] = [];
  const constant = (value: unknown): string => {
    constants.push(value);
    return `c[${constants.length - 1}]`;
  };
  let names = 0;
  const local = () => `v${names++}`;
  // Union branches, declared once beside the check rather than as closures made per call.
  const helpers: string[] = [];

  /** Statements that return false when `v` (a local name) does not match `s`. */
  const statements = (s: unknown, v: string): string => {
    if (typeof s !== 'object' || s === null || Array.isArray(s))
      throw new Unsupported('schema is not an object');
    const node = s as Schema;
    for (const key of Object.keys(node)) {
      if (!ANNOTATIONS.has(key) && !HANDLED.has(key) && !isOpenRecord(node, key)) throw new Unsupported(key);
    }
    let out = '';
    if (node['$ref'] !== undefined) {
      const ref = node['$ref'];
      if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) throw new Unsupported(String(ref));
      out += `if(!${constant(resolve(ref.slice('#/definitions/'.length)))}.check(${v}))return false;`;
    }
    const types = node['type'] === undefined ? [] : [node['type']].flat();
    if (types.length > 0) {
      const tests = types.map((t) => {
        const test = typeof t === 'string' ? TYPE_TESTS[t] : undefined;
        if (test === undefined) throw new Unsupported(`type ${String(t)}`);
        return test(v);
      });
      out += `if(!(${tests.join('||')}))return false;`;
    }
    if (node['enum'] !== undefined) {
      const values = node['enum'];
      if (!Array.isArray(values) || values.some((x) => typeof x === 'object' && x !== null)) {
        throw new Unsupported('enum');
      }
      out += `if(!${constant(new Set(values))}.has(${v}))return false;`;
    }
    if (node['const'] !== undefined) {
      const value = node['const'];
      if (typeof value === 'object' && value !== null) throw new Unsupported('const');
      out += `if(${v}!==${constant(value)})return false;`;
    }
    if (node['format'] !== undefined) {
      if (node['format'] !== 'date-time') throw new Unsupported(`format ${String(node['format'])}`);
      // The format applies only to strings; after a `type: 'string'` test the value is one.
      const onlyString = types.length === 1 && types[0] === 'string';
      out += onlyString
        ? `if(!isDateTime(${v}))return false;`
        : `if(typeof ${v}==='string'&&!isDateTime(${v}))return false;`;
    }
    const required = node['required'];
    const properties = node['properties'];
    if (required !== undefined || properties !== undefined) {
      if (required !== undefined && !Array.isArray(required)) throw new Unsupported('required');
      if (properties !== undefined && (typeof properties !== 'object' || properties === null))
        throw new Unsupported('properties');
      const requiredNames = new Set((required ?? []).map(String));
      const described = Object.entries((properties ?? {}) as Schema);
      let inner = '';
      for (const name of requiredNames) {
        if (!Object.hasOwn(properties ?? {}, name))
          inner += `if(${v}[${JSON.stringify(name)}]===undefined)return false;`;
      }
      // A property is read once: the read that tests presence (when required) is the one checked.
      for (const [name, sub] of described) {
        const p = local();
        const body = statements(sub, p);
        const read = `const ${p}=${v}[${JSON.stringify(name)}];`;
        if (requiredNames.has(name)) inner += `{${read}if(${p}===undefined)return false;${body}}`;
        else if (body !== '') inner += `{${read}if(${p}!==undefined){${body}}}`;
      }
      // After a `type: 'object'` test the value is known to be one; otherwise the keywords apply only to objects.
      const onlyObject = types.length === 1 && types[0] === 'object';
      if (inner !== '')
        out += onlyObject ? inner : `if(typeof ${v}==='object'&&${v}!==null&&!Array.isArray(${v})){${inner}}`;
    }
    if (node['items'] !== undefined) {
      const item = local();
      const i = local();
      const body = statements(node['items'], item);
      if (body !== '') {
        out += `if(Array.isArray(${v})){for(let ${i}=0;${i}<${v}.length;${i}++){const ${item}=${v}[${i}];${body}}}`;
      }
    }
    if (node['anyOf'] !== undefined) {
      const branches = node['anyOf'];
      if (!Array.isArray(branches) || branches.length === 0) throw new Unsupported('anyOf');
      const tests = branches.map((branch) => {
        const x = local();
        helpers.push(`function b${x}(${x}){${statements(branch, x)}return true;}`);
        return `b${x}(${v})`;
      });
      out += `if(!(${tests.join('||')}))return false;`;
    }
    return out;
  };

  const body = statements(schema, 'v');
  const source = `${helpers.join('')}return function check(v){${body}return true;};`;
  return new Function('c', 'isDateTime', source)(constants, isDateTime) as Check;
}

// TypeBox writes `Record(String(), Unknown())` as `patternProperties: { '^(.*)$': {} }`: any value
// under any key passes, so the keyword never changes the verdict.
function isOpenRecord(node: Schema, key: string): boolean {
  if (key !== 'patternProperties') return false;
  const patterns = node[key];
  if (typeof patterns !== 'object' || patterns === null) return false;
  return Object.values(patterns).every(
    (sub) => typeof sub === 'object' && sub !== null && Object.keys(sub).every((k) => ANNOTATIONS.has(k)),
  );
}
