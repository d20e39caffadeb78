// `npm run bench [-- --quick] [-- --only=proxy,syscalls,lag,lag-small,lag-small-rgw,backfill,backfill-rgw,memory,journal,fleet,journal-pg,journal-history] [-- --profile]`
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, revision } from './lib/machine.js';
import { REPO, RESULTS, TMP, scratch } from './lib/paths.js';
import { settings } from './lib/settings.js';
import { LoadClient } from './load/client.js';
import { proxyOverhead } from './cases/proxy-overhead.js';
import { replicationLag, smallChangesLag, smallChangesLagRgw } from './cases/replication-lag.js';
import { backfill, backfillRgw } from './cases/backfill.js';
import { memoryCase } from './cases/memory.js';
import { journalCase } from './cases/journal.js';
import { fleetCase } from './cases/fleet.js';
import { pgJournalCase } from './cases/journal-pg.js';
import { historyCase } from './cases/journal-history.js';
import { syscallsCase } from './cases/syscalls.js';
import { goals, renderTables } from './report.js';

const s = settings(process.argv.slice(2));
// The build of src/ beside the bench reads its version from the package.json above it, as dist/ does (named
// otherwise, so that this build is never taken for the repository).
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; type: string };
writeFileSync(join(TMP, 'build', 'package.json'), `${JSON.stringify({ name: 'ferry-bench-build', version: pkg.version, type: pkg.type })}\n`);
if (s.profile) process.env.FERRY_BENCH_PROFILE = scratch('profiles');
const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const wanted = (name: string) => !s.only || s.only.includes(name);

const results: Record<string, unknown> = {
  machine: machine(),
  revision: revision(REPO),
  startedAt: new Date(started).toISOString(),
  mode: s.quick ? 'quick' : 'full',
  settings: s,
  command: `npm run bench${s.quick ? ' -- --quick' : ''}`,
};
const load = new LoadClient();
results.loadGenerator = { pid: load.pid, note: 'own process; undici Pool, every request signed with SigV4 (aws4, UNSIGNED-PAYLOAD)' };
try {
  if (wanted('proxy')) results.proxy = await proxyOverhead(load, s, log);
  if (wanted('syscalls')) results.syscalls = await syscallsCase(s, log);
  if (wanted('lag')) results.lag = await replicationLag(load, s, log);
  if (wanted('lag-small')) results.lagSmall = await smallChangesLag(load, s, log);
  if (wanted('backfill')) results.backfill = await backfill(load, s, log);
  // Two Ceph RGW regions (Ceph from scripts/rgw/install.sh): the backfill goal names both backends, so every run without
  // --only includes it; the small changes on RGW are asked for by name (the one-OSD cluster is the limit there).
  if (wanted('backfill-rgw')) results.backfillRgw = await backfillRgw(load, s, log);
  if (s.only?.includes('lag-small-rgw')) results.lagSmallRgw = await smallChangesLagRgw(load, s, log);
  if (wanted('memory')) results.memory = await memoryCase(load, s, log);
  if (wanted('journal')) results.journal = await journalCase(s, log);
  if (wanted('fleet')) results.fleet = await fleetCase(load, s, log);
  if (wanted('journal-pg')) results.journalPg = await pgJournalCase(s, log);
  if (wanted('journal-history')) results.journalHistory = await historyCase(s, log);
} finally {
  load.close();
}
results.goals = goals(results);
results.durationSeconds = Math.round((Date.now() - started) / 1000);
mkdirSync(RESULTS, { recursive: true });
// A full run is the reference (latest.json, and latest.md with its tables); quick and partial runs go beside it.
const name = s.only || s.quick ? `latest-${s.quick ? 'quick' : 'partial'}` : 'latest';
const tables = renderTables(results);
writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(RESULTS, `${name}.md`), `Run of ${results.startedAt} (${results.mode}, ${results.durationSeconds} s): \`${results.command}\`\n${tables}`);
process.stdout.write(tables);
process.stdout.write(`\nwritten ${join(RESULTS, `${name}.json`)} and .md\n`);
