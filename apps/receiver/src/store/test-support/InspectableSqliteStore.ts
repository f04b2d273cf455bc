// A SqliteStore that also answers what only tests ask: the writer connection's pragmas (what the
// durability promise rests on, read where it applies) and the query plans of the list and export.
import type { EventStatus } from '../core/Store.js';
import { SqliteStore } from '../sqlite/SqliteStore.js';

export class InspectableSqliteStore extends SqliteStore {
  /**
   * A PRAGMA's value on the connection that commits (the writer thread's for a file), e.g.
   * `synchronous` (2 = FULL).
   */
  writerPragma(name: string): Promise<unknown> {
    return this.writes.readPragma(name);
  }

  /** The query plan of listEvents for the given filters (EXPLAIN QUERY PLAN details). */
  explainListEvents(filters: { type?: string; status?: EventStatus }): string[] {
    const { type = null, status = null } = filters;
    const args = [type, status, Number.MAX_SAFE_INTEGER, 1].filter((a) => a !== null);
    const explain = this.db.prepare(`EXPLAIN QUERY PLAN ${this.listStatement(type, status).source}`);
    return (explain.all(...args) as { detail: string }[]).map((r) => r.detail);
  }

  /** The query plan of exportEvents (EXPLAIN QUERY PLAN details). */
  explainExportEvents(): string[] {
    const explain = this.db.prepare(`EXPLAIN QUERY PLAN ${this.exportStatement.source}`);
    return (explain.all(0, '', 0, 1, null, null, null, null, 1) as { detail: string }[]).map((r) => r.detail);
  }
}
