// The contract's Ajv set-up and its bounded validators. Off-contract payloads are reported in
// bounded form: a 250 KB body whose array holds 125 000 numbers would otherwise be 125 000 errors
// (8.7 MB of JSON and 160 ms of CPU), echoed in the answer, the stored row and every page of a read
// API. A validator stops collecting after maxCollectedErrors failed checks (see capCollection) and
// reports the first maxListedContractErrors contract errors with the count it found.
import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { type ContractError, contractErrorsFromAjv } from './ContractError.js';
import { compileCheck } from './compileCheck.js';
import { isDateTime } from './isDateTime.js';

/**
 * Most contract errors a result lists (the rest are only counted). Twenty covers every field of a
 * payload a sender got wrong in several places, which is what a person fixes in one go; past that
 * the errors are one mistake repeated (every item of an array), and listing them all only makes the
 * answer, the stored row and each page of a read API larger. Twenty errors of bounded strings (see
 * maxContractErrorTextLength) are at most about 10 KB of JSON.
 */
export const maxListedContractErrors = 20;

/**
 * Validation stops after this many failed checks (Ajv errors, before they are merged into contract
 * errors), so a payload built to fail everywhere costs about a millisecond, not one error object
 * per broken value. A result that stopped there says so (`complete: false`).
 */
export const maxCollectedErrors = 1000;

/** A payload that breaks the contract, reported in bounded form. */
export interface InvalidPayload {
  kind: 'invalid';
  /** The first maxListedContractErrors contract errors, in schema order. */
  errors: ContractError[];
  /**
   * How many contract errors were found (at least `errors.length`). Exact when `complete`; when not,
   * validation stopped after maxCollectedErrors failed checks and this counts those found by then.
   */
  errorCount: number;
  /** Every check ran, so `errorCount` is exact. */
  complete: boolean;
}

/** A compiled contract validator: `valid`, or the bounded report. */
export type ContractValidator = (value: unknown) => { kind: 'valid' } | InvalidPayload;

/** Thrown from inside a validator (see capCollection) with the Ajv errors collected so far. */
interface CollectionStopped {
  contractErrorCap: ErrorObject[];
}

function isCollectionStopped(error: unknown): error is CollectionStopped {
  return typeof error === 'object' && error !== null && 'contractErrorCap' in error;
}

const stop = `if(errors>=${maxCollectedErrors}){throw {contractErrorCap: vErrors};}`;

/**
 * Ajv has no option to stop collecting errors, so its generated code is edited through its
 * `code.process` hook where errors are added: after each `errors++` (one error) and each
 * `errors = vErrors.length` (a sub-schema's or a keyword's errors appended) the count is checked.
 * Each generated function counts its own errors, so a `$ref`'d definition stops after its own
 * maxCollectedErrors too. Should Ajv ever generate those lines differently, compiling fails here
 * rather than validating without a bound.
 */
export function capCollection(code: string): string {
  const adds = code.split('vErrors.push(').length - 1 + code.split('vErrors.concat(').length - 1;
  const capped = code
    .replaceAll('errors++;', `errors++;${stop}`)
    .replaceAll('errors = vErrors.length;', `errors = vErrors.length;${stop}`);
  if (capped.split(stop).length - 1 !== adds) {
    throw new Error(
      'contract validator: Ajv generated error-collecting code this package does not recognise, so it ' +
        'cannot bound the errors it collects; check capCollection against the installed Ajv version',
    );
  }
  return capped;
}

// Ajv checks `enum` value by value (an `||` chain of string comparisons); the catalog has enums of
// up to ~120 values (payment methods, card brands) and checking them took half of a payment's
// validation. A Set answers in one lookup, with the same error Ajv would give.
function addSetEnum(ajv: Ajv): void {
  ajv.removeKeyword('enum');
  ajv.addKeyword({
    keyword: 'enum',
    schemaType: 'array',
    errors: true,
    compile(values: readonly unknown[]) {
      if (values.some((v) => typeof v === 'object' && v !== null)) {
        throw new Error('enum values must be strings, numbers, booleans or null in this contract');
      }
      const allowed = new Set(values);
      const validate: SchemaValidateFunction = (data: unknown) => {
        if (allowed.has(data)) return true;
        // A fresh object each time: Ajv fills in instancePath and schemaPath (left undefined here).
        const error = {
          keyword: 'enum',
          message: 'must be equal to one of the allowed values',
          params: { allowedValues: values },
        };
        validate.errors = [error as unknown as ErrorObject];
        return false;
      };
      return validate;
    },
  });
}

function contractAjv(allErrors: boolean): Ajv {
  const ajv = new Ajv(
    allErrors ? { allErrors, strict: true, code: { process: capCollection } } : { allErrors, strict: true },
  );
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  ajvFormats.default(ajv);
  // Same verdicts as ajv-formats' date-time (see isDateTime.ts), several times faster.
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  addSetEnum(ajv);
  return ajv;
}

// allErrors: a sender's bug report should list every broken field, not only the first (bounded).
// Both instances are made on first compile: importing the package builds no Ajv (nor its meta-schema).
let collecting: Ajv | undefined;
// A stop can happen inside one branch of a union (`anyOf`) that another branch then satisfies, so
// it does not prove the payload invalid: a fail-fast twin of the validator gives the verdict. It is
// compiled only when a payload first reaches the cap.
let failFast: Ajv | undefined;

function invalid(ajvErrors: readonly ErrorObject[] | null | undefined, complete: boolean): InvalidPayload {
  const all = contractErrorsFromAjv(ajvErrors);
  return { kind: 'invalid', errors: all.slice(0, maxListedContractErrors), errorCount: all.length, complete };
}

// Every valid answer is this one object: the hot path allocates nothing for a verdict.
const valid: { kind: 'valid' } = Object.freeze({ kind: 'valid' });

/**
 * Compiles `schema` (plain JSON Schema) into a bounded contract validator. A generated yes/no check
 * (compileCheck.ts) answers for valid payloads; Ajv is compiled on the first payload that check
 * rejects and gives the verdict and the errors, so what a sender is told comes from Ajv alone.
 *
 * @example
 * const validate = compileContractValidator(withDefinitions(PaymentSucceeded));
 * const result = validate(JSON.parse(body)); // { kind: 'valid' } or { kind: 'invalid', errors, errorCount, complete }
 */
export function compileContractValidator(schema: object): ContractValidator {
  const check = compileCheck(schema);
  let report = check === undefined ? compileAjvReport(schema) : undefined;
  return (value) => {
    if (check?.(value)) return valid;
    report ??= compileAjvReport(schema);
    return report(value);
  };
}

function compileAjvReport(schema: object): ContractValidator {
  collecting ??= contractAjv(true);
  const validate: ValidateFunction = collecting.compile(schema);
  let verdict: ValidateFunction | undefined;
  return (value) => {
    try {
      return validate(value) ? valid : invalid(validate.errors, true);
    } catch (error) {
      if (!isCollectionStopped(error)) throw error;
      failFast ??= contractAjv(false);
      verdict ??= failFast.compile(schema);
      if (verdict(value)) return valid;
      // A keyword's errors get their instancePath just after they are appended: a stop right there
      // leaves the last ones without it.
      return invalid(
        error.contractErrorCap.filter((e) => typeof e.instancePath === 'string'),
        false,
      );
    }
  };
}
