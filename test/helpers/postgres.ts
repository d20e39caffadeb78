// A real PostgreSQL 15 (Debian's) for the fleet tests: initdb into a temporary folder, pg_ctl on a free loopback
// port, stopped and removed at the end. Where it cannot start, the caller's test fails with the reason: a fleet
// test that did not run must never look green.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

export interface Postgres {
  /** postgres://ferry:PASSWORD@127.0.0.1:PORT/ferry */
  url: string;
  port: number;
  password: string;
  /** A fresh, empty database on this server; its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown), as an outage would; `start` brings it back on the same port. */
  halt(): void;
  start(): void;
  stop(): Promise<void>;
}

function binary(name: string): string {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`PostgreSQL's ${name} was not found (install the Debian package "postgresql", as .ci/run does)`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root: as root, the server runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(cmd: string, args: string[], user: ReturnType<typeof runAs>): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  if (r.status !== 0) throw new Error(`${cmd.split('/').pop()} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).trim()}`);
}

/** Starts a PostgreSQL server of its own; throws with the reason when it cannot. */
export async function startPostgres(): Promise<Postgres> {
  const initdb = binary('initdb');
  const pgCtl = binary('pg_ctl');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  run(initdb, ['-D', data, '-U', 'ferry', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'], user);
  rmSync(pwfile, { force: true });
  const port = await freePort();
  // Loopback only, a socket in the scratch folder, and the defaults that matter kept: fsync and synchronous_commit on.
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200 -c shared_buffers=64MB`;
  const log = join(dir, 'server.log');
  const start = () => run(pgCtl, ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start'], user);
  const halt = () => run(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], user);
  start();
  const base = `postgres://ferry:${password}@127.0.0.1:${port}`;
  let n = 0;
  return {
    url: `${base}/postgres`, port, password,
    async createDatabase(name = `ferry_${process.pid}_${n++}`) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    halt, start,
    async stop() {
      try {
        halt();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
