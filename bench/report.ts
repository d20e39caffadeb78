import type { BackendResult } from './cases/proxy-overhead.js';
import type { LagCaseResult } from './cases/replication-lag.js';
import type { BackfillResult } from './cases/backfill.js';
import type { MemoryResult } from './cases/memory.js';
import type { JournalResult } from './cases/journal.js';
import type { FleetResult } from './cases/fleet.js';
import type { PgJournalResult } from './cases/journal-pg.js';
import type { HistoryResult } from './cases/journal-history.js';
import type { SyscallsResult } from './cases/syscalls.js';

export interface Goal {
  goal: string;
  figure: number;
  target: string;
  met: boolean;
}

interface Results {
  proxy?: BackendResult[];
  lag?: LagCaseResult;
  lagSmall?: LagCaseResult;
  lagSmallRgw?: LagCaseResult;
  backfillRgw?: BackfillResult;
  backfill?: BackfillResult;
  memory?: MemoryResult;
  journal?: JournalResult;
  fleet?: FleetResult;
  journalPg?: PgJournalResult;
  journalHistory?: HistoryResult;
  syscalls?: SyscallsResult;
}

/** Each goal of the performance issue against this run's figures (all ratios within the run). */
export function goals(all: Record<string, unknown>): Goal[] {
  const r = all as Results;
  const out: Goal[] = [];
  for (const b of r.proxy ?? []) {
    out.push({ goal: `${b.backend}: 4 KiB PUT ops/s, Ferry / nginx proxy`, figure: b.metrics.put4k!.ferryVsNginx, target: '>= 0.8',
      met: b.metrics.put4k!.ferryVsNginx >= 0.8 });
    for (const m of ['putBig', 'getBig'] as const) {
      const x = b.metrics[m]!.ferryVsNginx;
      out.push({ goal: `${b.backend}: large ${m === 'putBig' ? 'PUT' : 'GET'} MB/s, Ferry / nginx proxy`, figure: x, target: '>= 0.85', met: x >= 0.85 });
    }
  }
  if (r.lag) out.push({ goal: 'replication lag p99 (ms), 2 MB at 10/s', figure: r.lag.lagMs.p99, target: '<= 250', met: r.lag.lagMs.p99 <= 250 && r.lag.present === r.lag.objects });
  for (const l of [r.lagSmall, r.lagSmallRgw]) {
    if (!l) continue;
    out.push({ goal: `small changes (${l.perSecond}/s of 4 KiB, ${l.regions ?? 's3rver'}): lag p99 (ms), all present`, figure: l.lagMs.p99,
      target: '<= 1000', met: l.lagMs.p99 <= 1000 && l.present === l.objects });
  }
  for (const b of [r.backfill, r.backfillRgw]) {
    if (b) out.push({ goal: `backfill (${b.regions ?? 's3rver'}): rclone time / Ferry time`, figure: b.rcloneOverFerry, target: '>= 1', met: b.rcloneOverFerry >= 1 });
  }
  if (r.memory) {
    out.push({ goal: 'peak memory: large object / 20 MiB', figure: r.memory.bigOverSmall, target: '<= 1.5', met: r.memory.bigOverSmall <= 1.5 });
    const peak = r.memory.median.big!.peakMB!;
    out.push({ goal: 'peak memory for the large object (MB)', figure: peak, target: '< 200', met: peak < 200 });
  }
  for (const w of r.journal?.byWriters.filter((x) => x.writers > 1) ?? []) {
    const x = w.median.group!.appendsPerSec!;
    out.push({ goal: `durable journal appends/s, group commit, ${w.writers} writers`, figure: x, target: '>= 10000', met: x >= 10_000 });
  }
  if (r.fleet) {
    const x = r.fleet.appends.find((a) => a.writers === 64)?.median.appendsPerSec;
    if (x !== undefined) out.push({ goal: 'PostgreSQL durable appends/s, 64 writers', figure: x, target: '>= 10000', met: x >= 10_000 });
    out.push({ goal: 'fleet: 4 KiB PUT ops/s, two gateways on PostgreSQL / one on SQLite', figure: r.fleet.puts.twoPgOverSqlite, target: '> 1',
      met: r.fleet.puts.twoPgOverSqlite > 1 });
  }
  for (const w of r.journalPg?.byWriters.filter((x) => x.writers === 64) ?? []) {
    const x = w.median.appendsPerSec!;
    out.push({ goal: `PostgreSQL durable appends/s, 64 writers over ${w.stores} store(s)`, figure: x, target: '>= 10000', met: x >= 10_000 });
  }
  if (r.journalHistory) {
    const h = r.journalHistory;
    const rows = `${fmt(h.shape.rows)} rows`;
    out.push({ goal: `SQLite appends/s with 64 writers, ${rows} / empty journal`, figure: h.appends.historyOverEmpty, target: '>= 0.8',
      met: h.appends.historyOverEmpty >= 0.8 });
    for (const q of h.queries) out.push({ goal: `${q.what}, ${rows} (p50 ms)`, figure: q.p50Ms, target: '< 50', met: q.p50Ms < 50 });
  }
  return out;
}

const fmt = (x: number | undefined, d = 0) => (x === undefined || !Number.isFinite(x) ? '—'
  : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
}

const NAMES: Record<string, string> = { direct: 'direct', nginx: 'nginx proxy', node: 'bare Node proxy', ferry: 'Ferry' };
const CASES: Record<string, string> = { put4k: '4 KiB PUT, c=16', get4k: '4 KiB GET, c=16', putBig: 'large PUT', getBig: 'large GET' };

/** The run as Markdown tables (what the README's Performance section shows). */
export function renderTables(all: Record<string, unknown>): string {
  const r = all as unknown as Results & { machine: Record<string, unknown>; settings: { bigBytes: number } };
  const m = r.machine;
  const rev = (all as { revision?: { commit: string; dirty: boolean } }).revision;
  let s = `\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryMB} MB RAM, ${m.os}, kernel ${m.kernel}, Node ${m.node}, ${m.nginx}, ${String(m.rclone)}; ` +
    `load average at start ${(m.loadavg as number[]).join(' / ')} (a shared machine)${rev ? `; commit ${rev.commit.slice(0, 7)}${rev.dirty ? ' with local changes' : ''}` : ''}\n\n`;
  if (r.proxy) {
    const rows: string[][] = [];
    for (const b of r.proxy) {
      for (const [key, metric] of Object.entries(b.metrics)) {
        const big = metric.figure === 'mbPerSec';
        for (const v of ['direct', 'nginx', 'node', 'ferry']) {
          const x = metric.median[v]!;
          rows.push([b.backend, CASES[key]!, NAMES[v]!, big ? `${fmt(x.mbPerSec, 0)} MB/s` : `${fmt(x.opsPerSec, 0)} ops/s`,
            big ? `${fmt(x.seconds, 2)} s` : fmt(x.p50, 2), big ? '' : fmt(x.p99, 2),
            v === 'direct' ? '' : big ? `${fmt(x.proxyCpuMsPerGiB, 0)} ms/GiB` : `${fmt(x.proxyCpuMsPerOp, 3)} ms/op`,
            v === 'ferry' ? `**${fmt(metric.ferryVsNginx, 2)}x**` : v === 'nginx' ? '1.00x'
              : v === 'node' ? `${fmt(metric.nodeVsNginx, 2)}x` : `${fmt(1 / metric.nginxVsDirect, 2)}x`]);
        }
      }
    }
    s += `### Proxy overhead (large = ${fmt(r.settings.bigBytes / 2 ** 20)} MiB; medians of rounds)\n\n`;
    s += table(['Backend', 'Case', 'Path', 'Throughput', 'p50 ms (large: time)', 'p99 ms', 'Proxy CPU', 'vs nginx proxy'], rows);
  }
  if (r.syscalls) {
    const y = r.syscalls;
    s += `\n### System calls per 4 KiB request (${y.note})\n\n`;
    if (y.skipped || !y.perRequest) s += `Not measured: ${y.skipped ?? 'no figures'}.\n`;
    else {
      s += table(['Path', 'Operation', 'System calls per request', 'The most frequent'], Object.entries(y.perRequest).flatMap(([path, ops]) =>
        Object.entries(ops).map(([op, c]) => [NAMES[path] ?? path, op.toUpperCase(), fmt(c.total, 2),
          Object.entries(c.byCall).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, n]) => `${name} ${fmt(n, 2)}`).join(', ')])));
    }
  }
  if (r.lag) {
    const l = r.lag;
    s += `\n### Replication lag (${l.perSecond}/s of ${fmt(l.objectBytes)} bytes for ${l.seconds} s, s3rver to s3rver)\n\n`;
    s += table(['Objects', 'Present', 'p50 ms', 'p99 ms', 'max ms', 'PUT ack p50 ms', 'Ferry CPU'],
      [[fmt(l.objects), fmt(l.present), fmt(l.lagMs.p50, 0), fmt(l.lagMs.p99, 0), fmt(l.lagMs.max, 0), fmt(l.ackP50Ms, 1), `${fmt(l.ferryCpuPercent, 0)} %`]]);
  }
  for (const l of [r.lagSmall, r.lagSmallRgw]) {
    if (!l) continue;
    const server = l.regions === 'rgw' ? 'Ceph RGW to Ceph RGW' : 's3rver to s3rver';
    s += `\n### Small changes (${l.perSecond}/s of ${fmt(l.objectBytes)} bytes for ${l.seconds} s, ${server}, shipper.concurrency ${l.shipperConcurrency}; ` +
      `seen by listing the target every ${l.pollMs} ms)\n\n`;
    s += table(['Objects', 'Acked', 'Present', 'p50 ms', 'p99 ms', 'max ms', 'PUT ack p50 ms', 'Ferry CPU'],
      [[fmt(l.objects), fmt(l.acked), fmt(l.present), fmt(l.lagMs.p50, 0), fmt(l.lagMs.p99, 0), fmt(l.lagMs.max, 0), fmt(l.ackP50Ms, 1), `${fmt(l.ferryCpuPercent, 0)} %`]]);
    if (l.firstError) s += `\nFirst error: ${l.firstError}\n`;
  }
  for (const b of [r.backfill, r.backfillRgw]) {
    if (!b) continue;
    const server = b.regions === 'rgw' ? 'Ceph RGW' : 's3rver';
    s += `\n### Backfill (${fmt(b.objects)} objects of ${fmt(b.objectBytes / 1024)} KiB, concurrency ${b.concurrency}, ${server} regions)\n\n`;
    s += table(['Tool', 'Wall time s', 'Objects/s', 'Tool CPU ms/object', `${server} CPU ms/object`], ['rclone', 'ferry'].map((v) =>
      [v === 'ferry' ? '`ferry resync` + shipper' : '`rclone copy`', fmt(b.median[v]!.seconds, 1), fmt(b.median[v]!.objectsPerSec, 0),
        fmt(b.median[v]!.toolCpuMsPerObject, 2), fmt(b.median[v]!.regionsCpuMsPerObject, 2)]));
    s += `\nrclone time / Ferry time: **${fmt(b.rcloneOverFerry, 2)}**\n`;
  }
  if (r.memory) {
    const mm = r.memory;
    s += `\n### Memory (peak RSS of \`ferry serve\` during PUT and replication)\n\n`;
    s += table(['Object', 'Peak MB', 'Idle MB', 'PUT MB/s', 'PUT + replication s'], [['small', mm.smallBytes], ['big', mm.bigBytes]].map(([v, size]) =>
      [`${fmt(Number(size) / 2 ** 20)} MiB`, fmt(mm.median[v as string]!.peakMB, 1), fmt(mm.median[v as string]!.idleMB, 1),
        fmt(mm.median[v as string]!.putMBps, 0), fmt(mm.median[v as string]!.putAndReplicateSeconds, 1)]));
    s += `\nlarge / small peak: **${fmt(mm.bigOverSmall, 2)}**\n`;
  }
  if (r.journal) {
    s += `\n### Journal (durable appends: each resolves once its commit is fsynced)\n\n`;
    s += table(['Writers', 'Group commit appends/s', 'p99 ms', 'appends per commit', 'One txn per append appends/s', 'p99 ms', 'Ratio'], r.journal.byWriters.map((w) =>
      [String(w.writers), fmt(w.median.group!.appendsPerSec), fmt(w.median.group!.p99Ms, 2), w.median.group!.appendsPerCommit === undefined ? '' : fmt(w.median.group!.appendsPerCommit, 1),
        fmt(w.median.single!.appendsPerSec), fmt(w.median.single!.p99Ms, 2), `${fmt(w.groupOverSingle, 1)}x`]));
    if (r.journal.requests?.length) {
      s += `\n### Journal per request (a durable intent, then the outcome after a spread wait, writers drifting apart)\n\n`;
      s += table(['Writers', 'changes/s', 'CPU us per change', 'commits per change'], r.journal.requests.map((q) =>
        [String(q.writers), fmt(q.median.changesPerSec), fmt(q.median.cpuUsPerChange, 1), fmt(q.median.commitsPerChange, 3)]));
    }
  }
  if (r.fleet) {
    const f = r.fleet;
    s += `\n### Fleet (PostgreSQL journal)\n\n`;
    s += table(['Writers', 'PostgreSQL appends/s', 'p50 ms', 'p99 ms'], f.appends.map((a) =>
      [String(a.writers), fmt(a.median.appendsPerSec), fmt(a.median.p50Ms, 2), fmt(a.median.p99Ms, 2)]));
    s += '\n';
    s += table(['4 KiB PUT, c=16', 'ops/s', 'gateway CPU ms/op'], [['one gateway, SQLite', 'sqlite'], ['one gateway, PostgreSQL', 'pg'],
      ['two gateways, PostgreSQL', 'pg2']].map(([label, v]) => [label!, fmt(f.puts.median[v!]!.opsPerSec), fmt(f.puts.median[v!]!.gatewayCpuMsPerOp, 3)]));
    s += `\n${f.note}\n`;
  }
  if (r.journalPg) {
    const j = r.journalPg;
    s += `\n### PostgreSQL journal (durable appends, one statement per group commit)\n\n`;
    s += table(['Writers', 'Stores', 'appends/s', 'p50 ms', 'p99 ms', 'load average'], j.byWriters.map((w) =>
      [String(w.writers), String(w.stores), fmt(w.median.appendsPerSec), fmt(w.median.p50Ms, 2), fmt(w.median.p99Ms, 2), fmt(w.median.loadAvg1m, 2)]));
    s += `\nverifyChain: ${j.verify.ok ? 'ok' : '**failed**'} over ${fmt(j.verify.rows)} rows in ${fmt(j.verify.seconds, 2)} s\n`;
  }
  if (r.journalHistory) {
    const h = r.journalHistory;
    s += `\n### Journal history (SQLite, ${fmt(h.shape.rows)} changes over ${h.shape.days} days, filled in ${fmt(h.fill.seconds, 1)} s; ` +
      `${fmt(h.bytesPerChange)} bytes per change)\n\n`;
    if (h.copy) s += `Measured on a fresh, synced copy of the filled file (${fmt(h.copy.bytes / 1e6)} MB, copied in ${fmt(h.copy.seconds, 1)} s).\n\n`;
    s += table(['Query', 'calls', 'p50 ms', 'max ms', 'answered'], h.queries.map((q) => [q.what, String(q.calls), fmt(q.p50Ms, 3), fmt(q.maxMs, 3), fmt(q.answered)]));
    s += '\n';
    s += table(['64 writers', 'appends/s', 'p50 ms', 'p99 ms'], ['empty', 'history'].map((v) => [v === 'empty' ? 'empty journal' : `${fmt(h.shape.rows)} rows`,
      fmt(h.appends.median[v]!.appendsPerSec), fmt(h.appends.median[v]!.p50Ms, 2), fmt(h.appends.median[v]!.p99Ms, 2)]));
    if (h.verify) s += `\nverifyChain: ${h.verify.ok ? 'ok' : '**failed**'} over ${fmt(h.verify.rows)} rows in ${fmt(h.verify.seconds, 1)} s\n`;
  }
  const g = goals(all);
  if (g.length) {
    s += `\n### Goals\n\n`;
    s += table(['Goal', 'This run', 'Target', 'Met'], g.map((x) => [x.goal, fmt(x.figure, x.figure < 10 ? 3 : 0), x.target, x.met ? 'yes' : '**no**']));
  }
  return s;
}
