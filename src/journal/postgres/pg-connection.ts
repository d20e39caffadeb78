import pg from 'pg';
import { FerryError } from '../../errors/ferry-error.js';
import { PG_MIGRATIONS, PG_SCHEMA } from './pg-schema.js';

// int8 (counts, seqs, ms times) and numeric (sums) as numbers: every value Ferry keeps is well below 2^53.
const NUMBER_TYPES = new Set([20, 1700]);
const types = {
  getTypeParser: ((oid: number, format?: string) => NUMBER_TYPES.has(oid)
    ? (v: string) => Number(v)
    : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

// Taken by whichever process migrates; others wait for it, then find the schema current.
const MIGRATION_LOCK = 0x4665727279; // "Ferry"

/** A URL fit for logs and messages: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** Wraps a PostgreSQL or connection error as the operator-facing journal error; the message never holds the URL. */
export function pgUnavailable(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const e = err as Error & { code?: string };
  return new FerryError('JOURNAL_UNAVAILABLE', `journal write failed: ${e.message}${e.code ? ` (${e.code})` : ''}`,
    'check that PostgreSQL is running and reachable, and that the journal.url user may write');
}

/**
 * A pool on the journal database, its tables found through `search_path`. Connection attempts time out quickly,
 * so that while PostgreSQL is away changes are refused (503) at once instead of hanging.
 */
export function createPool(url: string, opts: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, max: opts.max ?? 16, types, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000,
    statement_timeout: 30_000, application_name: opts.applicationName ?? 'ferry',
    // synchronous_commit on whatever the server's default: a commit answers only once its WAL is flushed.
    options: `-c search_path=${PG_SCHEMA} -c synchronous_commit=on`,
  });
  // A connection that breaks (the server stopped or restarted) must not take the process down: the query on it
  // fails, and the pool replaces it. Idle connections report through the pool, connections in use through themselves.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Brings the schema to this Ferry's version, once across the fleet (an advisory lock held for the migration). */
export async function migrate(pool: pg.Pool, readonly: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    if (readonly) {
      const v = await schemaVersion(client);
      if (v === undefined) throw new FerryError('JOURNAL_UNAVAILABLE', 'the database holds no Ferry journal', '`ferry serve` creates it when it first starts');
      if (v > PG_MIGRATIONS.length) throw new FerryError('JOURNAL_UNAVAILABLE', `journal schema ${v} is newer than this Ferry (${PG_MIGRATIONS.length})`);
      return;
    }
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}`);
      await client.query('CREATE TABLE IF NOT EXISTS meta (schema_version INTEGER NOT NULL)');
      const from = (await schemaVersion(client)) ?? 0;
      if (from > PG_MIGRATIONS.length) throw new FerryError('JOURNAL_UNAVAILABLE', `journal schema ${from} is newer than this Ferry (${PG_MIGRATIONS.length})`);
      if (from === PG_MIGRATIONS.length) return;
      await client.query('BEGIN');
      try {
        for (const sql of PG_MIGRATIONS.slice(from)) await client.query(sql);
        await client.query('DELETE FROM meta');
        await client.query('INSERT INTO meta (schema_version) VALUES ($1)', [PG_MIGRATIONS.length]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function schemaVersion(client: pg.PoolClient): Promise<number | undefined> {
  const t = await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'meta'", [PG_SCHEMA]);
  if (t.rowCount === 0) return undefined;
  const r = await client.query('SELECT schema_version FROM meta');
  return r.rows[0]?.schema_version ?? 0;
}

/**
 * Runs `work` in one transaction on one pooled connection. `begin` replaces the plain BEGIN (BEGIN and a first
 * statement without parameters, in one round trip); `work` receives what it answered.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient, begun: unknown) => Promise<T>, isolation = '',
  begin?: string): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const begun = await client.query(begin ?? (isolation ? `BEGIN ISOLATION LEVEL ${isolation}` : 'BEGIN'));
    try {
      const out = await work(client, begun);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    }
  } catch (err) {
    // A connection that failed mid-transaction is not handed to the next caller.
    if (!(err as { severity?: string }).severity) broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}
