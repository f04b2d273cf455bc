// The generated catalog: committed source equals what the generator makes from the installed SDK,
// every type validates through its own lazily compiled validator, and the tsc drift check can fail.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { catalogFiles } from '../scripts/catalogSource.js';
import { compileContractValidator } from '../src/contractValidator.js';
import {
  eventSchemas,
  knownEventTypes,
  maxListedContractErrors,
  PaymentRefund,
  validateEvent,
} from '../src/index.js';
import { withDefinitions } from '../src/withDefinitions.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path: string) => readFileSync(join(packageDir, path), 'utf8');

// Both the generator and the drift probe compile the SDK's declarations: seconds, not milliseconds.
const COMPILER_TIMEOUT = 60_000;

describe('the generated catalog', () => {
  it(
    'is what `npm run generate` makes from the installed @whop/sdk (run it after an SDK change)',
    () => {
      const files = catalogFiles();
      expect(files.map((f) => f.path)).toEqual([
        'src/catalog/resources.ts',
        'src/catalog/events.ts',
        'src/catalog/eventTypeNames.ts',
        'test/sdkDrift.ts',
        '../../docs/reference/event-catalog.md',
      ]);
      for (const file of files) expect(read(file.path), file.path).toBe(file.content);
    },
    COMPILER_TIMEOUT,
  );

  it('names the SDK version it was generated from in every generated file', () => {
    const version = JSON.parse(read('package.json')).devDependencies['@whop/sdk'];
    expect(version).toBe('0.0.42');
    for (const path of [
      'src/catalog/resources.ts',
      'src/catalog/events.ts',
      'test/sdkDrift.ts',
      '../../docs/reference/event-catalog.md',
    ]) {
      expect(read(path).split('\n')[0]).toContain('from @whop/sdk@0.0.42; do not edit');
    }
  });
});

describe('validateEvent over the catalog', () => {
  const envelope = { id: 'msg_1', api_version: 'v1', timestamp: '2025-01-01T00:00:00.000Z' };

  it('has a schema for every type, and checks each type against its own data schema', () => {
    expect(eventSchemas).toHaveLength(41);
    for (const type of knownEventTypes) {
      const result = validateEvent({ ...envelope, type, data: {} });
      expect(result.kind, type).toBe('invalid');
      if (result.kind !== 'invalid') continue;
      expect(result.errors.length, type).toBeGreaterThan(0);
      expect(result.errors.every((e) => e.pointer.startsWith('/data/') && e.message === 'is required')).toBe(
        true,
      );
    }
  });

  it('reports a wrong enum value, a non-object nullable object and a non-date-time at their pointers', () => {
    const result = validateEvent({
      ...envelope,
      type: 'refund.created',
      data: { status: 'done', payment: 'pay_1', created_at: 'today' },
    });
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    const at = (pointer: string) => result.errors.find((e) => e.pointer === pointer)?.message;
    expect(at('/data/status')).toBe(
      'must be one of "canceled", "pending", "succeeded", "requires_action", "failed"',
    );
    expect(at('/data/payment')).toBe('must be object or null');
    expect(at('/data/created_at')).toBe('must be an RFC 3339 date-time, e.g. "2025-01-01T00:00:00.000Z"');
  });

  it('compiles no Ajv validator at import, and one per type when its first payload fails the check, once', async () => {
    vi.resetModules();
    const { Ajv } = await import('ajv');
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    try {
      const fresh = await import('../src/validateEvent.js');
      expect(compile).toHaveBeenCalledTimes(0);
      expect(fresh.validateEvent({ ...envelope, type: 'payment.succeeded', data: {} }).kind).toBe('invalid');
      expect(fresh.validateEvent({ ...envelope, type: 'payment.succeeded', data: {} }).kind).toBe('invalid');
      expect(compile).toHaveBeenCalledTimes(1);
      expect(fresh.validateEvent({ ...envelope, type: 'refund.created', data: {} }).kind).toBe('invalid');
      expect(compile).toHaveBeenCalledTimes(2);
    } finally {
      compile.mockRestore();
    }
  });
});

describe('the tsc drift check (test/sdkDrift.ts)', () => {
  /** The compiler's messages for a probe file next to sdkDrift.ts. */
  function probeMessages(source: string): string[] {
    const probe = join(packageDir, 'test', '__drift_probe__.ts');
    const config = ts.getParsedCommandLineOfConfigFile(
      join(packageDir, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!config) throw new Error('cannot read tsconfig.json');
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === probe ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === probe || fileExists(name);
    const program = ts.createProgram([probe], config.options, host);
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(probe))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  const probeHeader = [
    "import type * as Sdk from '@whop/sdk/resources/webhooks.mjs';",
    "import type * as Ours from '../src/index.js';",
    "import type { Assignable, KeyDrift, NoKeyDrift, WithoutEnvelopeExtras } from './driftTypes.js';",
    'type Sdk2 = Sdk.RefundCreatedWebhookEvent;',
  ];

  it(
    'fails, naming the field, when the SDK changes a field type',
    () => {
      const messages = probeMessages(
        [
          ...probeHeader,
          "type Changed = Omit<Sdk2, 'data'> & { data: Omit<Sdk2['data'], 'amount'> & { amount: string } };",
          'export type Probe = Assignable<Ours.RefundCreated, Changed>;',
        ].join('\n'),
      );
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain("Types of property 'amount' are incompatible");
    },
    COMPILER_TIMEOUT,
  );

  it(
    'fails, naming the field, when the SDK adds an optional field (which assignability alone misses)',
    () => {
      const messages = probeMessages(
        [
          ...probeHeader,
          "type Payment2 = NonNullable<Sdk2['data']['payment']> & { new_field?: string };",
          "type Changed = Omit<Sdk2, 'data'> & { data: Omit<Sdk2['data'], 'payment'> & { payment: Payment2 | null } };",
          'export type StillAssignable = [',
          '  Assignable<Ours.RefundCreated, Changed>,',
          '  Assignable<Changed, Ours.RefundCreated>,',
          '];',
          'export type Probe = NoKeyDrift<KeyDrift<WithoutEnvelopeExtras<Ours.RefundCreated>, Changed>>;',
          'export type Same = NoKeyDrift<KeyDrift<WithoutEnvelopeExtras<Ours.RefundCreated>, Sdk2>>;',
        ].join('\n'),
      );
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('.data.payment.new_field (SDK only)');
    },
    COMPILER_TIMEOUT,
  );
});

describe('enum checks', () => {
  it('point at each failing array item, not at the first one reported', () => {
    // The refunds alone: a whole payment missing its fields has more errors than a result lists.
    const validate = compileContractValidator(withDefinitions(Type.Array(PaymentRefund)));
    const refund = { id: 'rfnd_1', status: 'nope' };
    const result = validate([refund, { ...refund }]);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    const enumErrors = result.errors.filter((e) => e.message.startsWith('must be one of'));
    expect(enumErrors.map((e) => e.pointer)).toEqual(['/0/status', '/1/status']);
  });

  it('count the errors a result does not list', () => {
    const payment = { id: 'pay_1', status: 'nope' };
    const result = validateEvent({
      id: 'msg_1',
      api_version: 'v1',
      timestamp: '2025-01-01T00:00:00.000Z',
      type: 'payment.succeeded',
      data: { refunds: [payment, { ...payment }] },
    });
    expect(result).toMatchObject({ kind: 'invalid', errorCount: 60, complete: true });
    if (result.kind !== 'invalid') return;
    expect(result.errors).toHaveLength(maxListedContractErrors);
    expect(result.errors[0]).toEqual({ pointer: '/data/id', message: 'is required' });
  });
});
