import { PgJournalStore } from '../../src/journal/postgres/pg-store.js';
import { startPostgres, type Postgres } from '../../test/helpers/postgres.js';
import { cpuSeconds } from '../lib/proc.js';
import { appendFor } from '../lib/append-load.js';
import { interleave, type Variant } from '../lib/rounds.js';
import { round } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import type { LoadClient } from '../load/client.js';
import type { Endpoint } from '../load/protocol.js';
import { startS3rver } from '../servers/s3rver.js';
import { FERRY_CLIENT, startFerryServer, type FerryServer } from '../servers/ferry.js';
import { medians, ratio, type Figures } from './summarize.js';

export interface FleetResult {
  /** Durable appends per second on PostgreSQL, as the gateway writes intents (group commit, one chain). */
  appends: Array<{ writers: number; rounds: Figures[]; median: Record<string, number> }>;
  /** 4 KiB PUT ops/s and gateway CPU per op: one gateway on SQLite, one on PostgreSQL, two on PostgreSQL. */
  puts: { rounds: Record<string, Figures[]>; median: Record<string, Record<string, number>>; twoPgOverSqlite: number };
  note: string;
}

const BUCKET = 'bench';


const endpointOf = (f: FerryServer): Endpoint => ({ endpoint: f.endpoint, ...FERRY_CLIENT, region: 'bench-src' });

/**
 * Fleet: PostgreSQL's durable appends with 1, 16 and 64 writers, and small PUTs through one gateway on SQLite,
 * one on PostgreSQL and two gateway processes on PostgreSQL (the load split evenly between them), interleaved.
 */
export async function fleetCase(load: LoadClient, s: Settings, log: (l: string) => void): Promise<FleetResult> {
  let pg: Postgres;
  try {
    pg = await startPostgres();
  } catch (err) {
    throw new Error(`the fleet case needs PostgreSQL (Debian's postgresql package): ${(err as Error).message}`);
  }
  const servers: FerryServer[] = [];
  const source = await startS3rver('fleet-source', [BUCKET]);
  const target = await startS3rver('fleet-target', ['bench-replica']);
  try {
    const journal = await PgJournalStore.open(await pg.createDatabase('bench_appends'), { writer: 'bench' });
    const appends: FleetResult['appends'] = [];
    try {
      for (const writers of s.journal.writers) {
        const rounds: Figures[] = [];
        for (let i = 0; i < s.rounds; i++) rounds.push(await appendFor([journal], writers, s.journal.seconds, { maxAppends: 1_000_000 }));
        appends.push({ writers, rounds, median: medians({ pg: rounds }).pg! });
        log(`fleet: PostgreSQL appends, ${writers} writers: ${appends.at(-1)!.median.appendsPerSec}/s`);
      }
    } finally {
      await journal.close();
    }
    const setup = (name: string, journalUrl?: string) => startFerryServer({ name, sourceEndpoint: source.endpoint, targetEndpoint: target.endpoint,
      rule: { sourceBucket: BUCKET, targetBucket: 'bench-replica' }, shipper: { enabled: false }, journalUrl });
    const sqlite = await setup('fleet-sqlite');
    servers.push(sqlite);
    const pgUrl = await pg.createDatabase('bench_fleet');
    const onePg = await setup('fleet-pg', pgUrl);
    servers.push(onePg);
    const twoPg = [await setup('fleet-pg-a', pgUrl), await setup('fleet-pg-b', pgUrl)];
    servers.push(...twoPg);
    const putsOn = async (gateways: FerryServer[], prefix: string): Promise<Figures> => {
      const pids = gateways.flatMap((g) => g.pids());
      const before = cpuSeconds(pids);
      const parts = await Promise.all(gateways.map((g, i) => load.run({ kind: 'ops', target: endpointOf(g), method: 'PUT', bucket: BUCKET,
        prefix: `${prefix}${i}/`, keys: 1000, size: 4096, concurrency: Math.ceil(s.concurrency / gateways.length),
        seconds: s.opsSeconds, maxOps: 500_000 })));
      const errors = parts.reduce((n, p) => n + (p.errors ?? 0), 0);
      if (errors) throw new Error(`fleet PUTs: ${errors} requests failed, first: ${parts.find((p) => p.errors)?.firstError}`);
      const ops = parts.reduce((n, p) => n + p.ops, 0);
      const opsPerSec = parts.reduce((n, p) => n + p.opsPerSec, 0);
      return { opsPerSec: round(opsPerSec, 0), gatewayCpuMsPerOp: round(((cpuSeconds(pids) - before) * 1000) / ops, 3) };
    };
    const variants: Variant<Figures>[] = [
      { name: 'sqlite', run: () => putsOn([sqlite], 'sqlite/') },
      { name: 'pg', run: () => putsOn([onePg], 'pg/') },
      { name: 'pg2', run: () => putsOn(twoPg, 'pg2/') },
    ];
    const rounds = await interleave(variants, { rounds: s.rounds, label: 'fleet 4KiB PUT' }, log);
    return {
      appends,
      puts: { rounds, median: medians(rounds), twoPgOverSqlite: ratio(rounds, 'pg2', 'sqlite', 'opsPerSec') },
      note: 'one PostgreSQL 15 (initdb defaults, fsync and synchronous_commit on) on this machine; gateways without their shipper; ' +
        '16 load connections in all, split evenly over the gateways of a variant',
    };
  } finally {
    for (const f of servers) await f.stop();
    await source.stop();
    await target.stop();
    await pg.stop();
  }
}
