import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import type { JournalStore } from './journal-store.js';
import { SqliteJournalStore } from './sqlite/sqlite-store.js';

export interface OpenOptions {
  /** Only read (the operator's inspection commands): never creates or migrates anything. */
  readonly?: boolean;
  /** Create the journal when there is none (`ferry serve`, `ferry resync`); otherwise a missing one is an error. */
  create?: boolean;
  /** The name this process writes its rows under; by default host and process id. */
  writer?: string;
}

function missing(path: string): FerryError {
  return new FerryError('JOURNAL_UNAVAILABLE', `no journal at ${path}`,
    'check journal.path in the configuration; `ferry serve` creates the journal when it first starts');
}

/** Opens the store the configuration names: a SQLite file (`journal.path`) or a PostgreSQL database (`journal.url`). */
export async function openJournal(journal: FerryConfig['journal'], opts: OpenOptions = {}): Promise<JournalStore> {
  const writer = opts.writer ?? `${hostname()}/${process.pid}`;
  if (journal.url !== undefined) {
    // Loaded only for a PostgreSQL journal: a SQLite Ferry never pays for pg.
    const { PgJournalStore } = await import('./postgres/pg-store.js');
    return PgJournalStore.open(journal.url, { readonly: opts.readonly, writer });
  }
  const path = journal.path!;
  if (!opts.create && path !== ':memory:' && !existsSync(path)) throw missing(path);
  try {
    return new SqliteJournalStore(path, { readonly: opts.readonly, writer });
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('JOURNAL_UNAVAILABLE', `cannot open ${path}: ${(err as Error).message}`);
  }
}
