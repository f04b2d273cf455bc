// What a read model is: a table (or a few) kept up to date from events, and the reads over it. A
// read model brings its handlers, its tables for both databases, the code that writes its effects
// and the code that reads them; the receiver registers it once (readModels.ts) and the store applies
// its effects, by its `effectKey`, in the transaction that settles the event, without naming it.
//
// Effects are plain data (they cross to the SQLite writer thread by structured clone), so a read
// model's writers are set up where the write connection lives: `sqlite.prepareApply` on that
// connection (in the writer thread for a file), `postgres.apply` inside the settling transaction.
import type { KnownEvent, KnownEventType } from '@webhook-contracts/schema';
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from 'express';
import type pg from 'pg';
import type { PageBudget } from '../store/core/Store.js';
import type { Migration } from '../store/postgres/PostgresMigrations.js';

/** The effects one settled event asks a read model to write, with the event's webhook-id. */
export interface EffectBatch<Effect> {
  webhookId: string;
  effects: readonly Effect[];
}

/** Turns an event into its effects for one read model; it writes nothing itself. */
export type ReadModelHandler<Effect, E extends KnownEvent = KnownEvent> = (event: E) => readonly Effect[];

/** What a read model's routes get from the read API (which guards them): its error handling and page budget. */
export interface ReadRouteContext<Reader> {
  /** The model's reads on the receiver's store. */
  reader: Reader;
  /** Wraps a handler: HttpError and invalid cursors become 4xx bodies, store failures 503. */
  route(fn: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  /** A page budget of at most the read API's page bytes, each item measured as `toJson` encodes it. */
  budget<T>(toJson: (item: T) => unknown): PageBudget<T>;
}

export interface ReadModel<Effect = unknown, Reader = unknown> {
  /** Names its PostgreSQL migrations table; lowercase letters and `_`. */
  name: string;
  /** The key its handlers' effects are stored under in ProcessingEffects. */
  effectKey: string;
  /** One handler per event type it follows. */
  handlers: { [T in KnownEventType]?: ReadModelHandler<Effect, Extract<KnownEvent, { type: T }>> };
  sqlite: {
    /** Idempotent DDL (CREATE … IF NOT EXISTS), run when a file is opened and migrated. */
    schema: string;
    /** Prepares its statements once on the write connection; the writer runs inside the settlement. */
    prepareApply(db: Database.Database): (batch: EffectBatch<Effect>) => void;
    reader(db: Database.Database): Reader;
  };
  postgres: {
    /** Its own versioned migrations, recorded in `<name>_schema_migrations`. */
    migrations: readonly Migration[];
    /** The tables `apply` writes: locked before the events' rows, as one statement would. */
    tables: readonly string[];
    /** Writes the effects of the events this transaction settles (already filtered to those). */
    apply(client: pg.ClientBase, batches: readonly EffectBatch<Effect>[]): Promise<void>;
    reader(pool: pg.Pool): Reader;
  };
  /** Its read routes (paths it declares in `routePaths`), behind the read API's token and headers. */
  routes(router: Router, context: ReadRouteContext<Reader>): void;
  /** Its route patterns, for the request metrics' labels and the read API's guard. */
  routePaths: readonly string[];
}

/** A read model whose reads are `Reader`, whatever its effects. */
// biome-ignore lint/suspicious/noExplicitAny: effects are both produced and consumed, so no other type fits every model
export type ReadModelOf<Reader> = ReadModel<any, Reader>;

/** Any read model, whatever its effect and reader types. */
export type AnyReadModel = ReadModelOf<unknown>;
