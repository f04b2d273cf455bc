// `@webhook-contracts/receiver/postgres`: the PostgreSQL store on an entry of its own, so that
// importing the package loads the `pg` driver only for those who ask for it (openStore does, for a
// postgres:// URL).
export { PostgresStore, type PostgresStoreOptions } from './store/postgres/PostgresStore.js';
