import { closeSync, copyFileSync, existsSync, fdatasyncSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { IntentInput } from '../../src/journal/journal-store.js';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { scratch } from '../lib/paths.js';
import { interleave } from '../lib/rounds.js';
import { appendFor } from '../lib/append-load.js';
import { latency, round } from '../lib/stats.js';
import type { Settings } from '../lib/settings.js';
import { medians, ratio, type Figures } from './summarize.js';
import { fillHistory, keyName, ruleName, type HistoryShape } from './journal-history-fill.js';

export interface QueryFigure {
  what: string;
  calls: number;
  p50Ms: number;
  maxMs: number;
  /** Rows the call answered (a listing), or entries (due), for scale. */
  answered: number;
}

export interface HistoryResult {
  shape: HistoryShape;
  /** How long the fill took, whole and by phase (reused from an earlier run when `reused`). */
  fill: { seconds: number; phases: Record<string, number>; reused: boolean };
  bytesPerChange: number;
  fileBytes: number;
  /** The copy of the filled file that is measured (written and synced before anything is timed), and how long it took. */
  copy: { bytes: number; seconds: number };
  /** Durable appends/s with 64 writers on an empty journal and on the filled one, interleaved. */
  appends: { rounds: Record<string, Figures[]>; median: Record<string, Record<string, number>>; historyOverEmpty: number };
  queries: QueryFigure[];
  verify?: { ok: boolean; rows: number; seconds: number };
  note: string;
}

/** Keys spread like traffic's: every append lands on its own place of the key index. */
const spreadIntent = (w: number, i: number): IntentInput => ({ ruleId: ruleName(w % 4), operation: 'PutObject', bucket: `bucket-${w % 4}`,
  key: keyName(w * 1_000_003 + i * 7919), accessKeyId: 'BENCHCLIENT', remoteAddr: '127.0.0.1' });

/** Times `run` `calls` times (after one untimed call). */
async function timed(what: string, calls: number, run: (i: number) => Promise<number>): Promise<QueryFigure> {
  let answered = await run(-1);
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    answered = await run(i);
    ms.push(performance.now() - t);
  }
  const l = latency(ms);
  return { what, calls, p50Ms: round(l.p50, 3), maxMs: round(l.max, 3), answered };
}

const SUFFIXES = ['', '-wal', '-shm', '-head'];

/**
 * Copies the filled journal (and its head file) to `to`, synced, so that every run appends to the same file as the
 * fill left it: appending to the filled file itself and deleting the appends afterwards left a key index of
 * half-empty, scattered pages, and after a few runs appends fell from 0.78 to 0.59 of the empty journal's. The copy
 * also leaves the file in the page cache, as traffic keeps it for a gateway in service (measured cold, the rounds
 * showed the cache filling: 2,929, then 4,697, then 6,256 appends/s).
 */
function freshCopy(from: string, to: string): { bytes: number; seconds: number } {
  const t0 = performance.now();
  for (const suffix of SUFFIXES) rmSync(`${to}${suffix}`, { force: true });
  copyFileSync(from, to);
  if (existsSync(`${from}-head`)) copyFileSync(`${from}-head`, `${to}-head`);
  const fd = openSync(to, 'r+');
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { bytes: statSync(to).size, seconds: round((performance.now() - t0) / 1000, 2) };
}

/** A minute after the newest filled row (the fill's own end), read from the file. */
function fillPresent(path: string, rows: number): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT created_at FROM changes WHERE seq = ?').pluck().get(rows) as number) + 60_000;
  } finally {
    db.close();
  }
}

async function drain(it: AsyncIterable<unknown[]>): Promise<number> {
  let n = 0;
  for await (const batch of it) n += batch.length;
  return n;
}

/**
 * Journal history: a journal of `rows` changes built directly (not by traffic), then what must not grow with it:
 * durable appends (against an empty journal, interleaved), the shipper's due query, `ferry status`'s figures,
 * `journal ls --since 1h` and the replication status of a key; and the bytes each change takes.
 */
export async function historyCase(s: Settings, log: (l: string) => void): Promise<HistoryResult> {
  const shape: HistoryShape = { rows: s.history.rows, rules: 4, keys: Math.max(1000, Math.floor(s.history.rows / 10)), days: 90, backlog: 2000 };
  const dir = scratch('journal-history');
  const path = join(dir, `history-${shape.rows}.db`);
  const sidecar = `${path}.fill.json`;
  let fill: HistoryResult['fill'];
  if (existsSync(path) && existsSync(sidecar) && !s.history.refill) {
    fill = { ...(JSON.parse(readFileSync(sidecar, 'utf8')) as Omit<HistoryResult['fill'], 'reused'>), reused: true };
    log(`history: reusing ${path} (filled in ${fill.seconds} s)`);
  } else {
    log(`history: filling ${shape.rows} rows into ${path}`);
    const f = fillHistory(path, shape, log);
    writeFileSync(sidecar, `${JSON.stringify(f)}\n`);
    fill = { ...f, reused: false };
    log(`history: filled in ${fill.seconds} s ${JSON.stringify(fill.phases)}`);
  }
  const fileBytes = statSync(path).size;
  const work = join(dir, 'history-work.db');
  const copy = freshCopy(path, work);
  log(`history: copied ${copy.bytes} bytes to ${work} in ${copy.seconds} s`);
  const emptyPath = join(dir, 'empty.db');
  for (const suffix of SUFFIXES) rmSync(`${emptyPath}${suffix}`, { force: true });
  const empty = new SqliteJournalStore(emptyPath, { writer: 'bench' });
  const history = new SqliteJournalStore(work, { writer: 'bench' });
  try {
    // The fill's present: a minute after its newest row. A file reused hours later would otherwise be asked about an
    // hour with nothing in it (`--since 1h` answered 0 rows in 0.04 ms), not the busy hour the fill made.
    const now = fillPresent(work, shape.rows);
    const rules = Array.from({ length: shape.rules }, (_, i) => ruleName(i));
    const rand = (i: number) => Math.floor(((i + 2) * 2_654_435_761) % shape.keys);
    const queries: QueryFigure[] = [
      await timed('due: 32 keys for the enabled rules, leased (the shipper, after every copy)', 50, async () =>
        (await history.due(rules, now, 32, new Set(), { owner: 'bench', ms: 60_000 })).length),
      await timed('ruleFigures: ferry status, every rule in one snapshot', 20, async () =>
        (await history.ruleFigures(rules, now, 15 * 60_000, 10_000)).size),
      await timed('listChanges --since 1h, newest first, limit 100 (journal ls --since 1h)', 20, async () =>
        drain(history.listChanges({ since: now - 3_600_000 }, [], { order: 'desc', limit: 100 }))),
      await timed('listChanges --since 1h, all rows (journal ls --since 1h --limit 0)', 10, async () =>
        drain(history.listChanges({ since: now - 3_600_000 }, [], { order: 'desc', limit: 0 }))),
      await timed('listChanges --since 1h --key K (few or no matches in the hour)', 20, async (i) =>
        drain(history.listChanges({ since: now - 3_600_000, key: keyName(rand(i)) }, [], { order: 'desc', limit: 100 }))),
      await timed('latestState of a key (x-amz-replication-status)', 200, async (i) =>
        ((await history.latestState(ruleName(i & 3), `bucket-${i & 3}`, keyName(rand(i)))) === undefined ? 0 : 1)),
    ];
    for (const q of queries) log(`history: ${q.what}: p50 ${q.p50Ms} ms, max ${q.maxMs} ms (${q.answered})`);
    const rounds = await interleave<Figures>([
      { name: 'empty', run: () => appendFor([empty], 64, s.journal.seconds, { intentOf: spreadIntent }) },
      { name: 'history', run: () => appendFor([history], 64, s.journal.seconds, { intentOf: spreadIntent }) },
    ], { rounds: s.rounds, label: 'history: 64 writers' }, log);
    let verify: HistoryResult['verify'];
    if (s.history.verify) {
      const t0 = performance.now();
      const r = await history.verifyChain();
      verify = { ok: r.ok, rows: r.rows, seconds: round((performance.now() - t0) / 1000, 1) };
      log(`history: verify ${r.ok ? 'ok' : 'FAILED'} over ${r.rows} rows in ${verify.seconds} s`);
    }
    return {
      shape, fill, fileBytes, copy, bytesPerChange: round(fileBytes / shape.rows, 0),
      appends: { rounds, median: medians(rounds), historyOverEmpty: ratio(rounds, 'history', 'empty', 'appendsPerSec') },
      queries, verify,
      note: 'SQLite journal built directly (hash chain computed, indexes rebuilt after the rows); the file size (journal.db after a ' +
        'checkpoint, with its attempts and queue) over the rows filled; each run measures a fresh, synced copy of the filled file ' +
        '(left in the page cache, as traffic keeps it for a gateway in service); appends with 64 writers on distinct keys',
    };
  } finally {
    await empty.close();
    await history.close();
    // The appends above were made to the copy: the next run copies the filled journal again.
    for (const suffix of SUFFIXES) rmSync(`${work}${suffix}`, { force: true });
  }
}
