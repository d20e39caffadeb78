// `ferry rules` signals only a Ferry serving that config. A pid file outlives a Ferry killed with SIGKILL, and
// its pid may by then belong to any process: one that dies of SIGHUP, one whose command line mentions serve and
// the config without being Ferry, a Ferry of another config. None of them is signalled; a real one is.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ferryConfigArg } from '../../src/admin/running-ferry.js';
import { rawConfig, startRegions, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { startFerryProcess } from '../helpers/ferry-process.js';
import { guardChild } from '../helpers/child-guard.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('a Ferry command line names its config (pure)', async (t) => {
  t.equal(ferryConfigArg(['node', '/opt/ferry/dist/cli/main.js', 'serve', '--config', 'f.json'], 'serve'), 'f.json');
  t.equal(ferryConfigArg(['node', '/usr/local/bin/ferry', 'ship', '-c', 'f.json'], 'ship'), 'f.json');
  t.equal(ferryConfigArg(['node', '--liftoff-only', 'dist/cli/main.js', 'serve', '--config=f.json'], 'serve'), 'f.json');
  t.equal(ferryConfigArg(['node', 'dist/cli/main.js', 'serve', '-cf.json'], 'serve'), 'f.json');
  t.equal(ferryConfigArg(['node', 'dist/cli/main.js', 'ship', '--config', 'f.json'], 'serve'), undefined, 'a shipper is not a gateway');
  t.equal(ferryConfigArg(['node', '-e', 'x', 'serve', '--config', 'f.json'], 'serve'), undefined, 'serve --config alone is not Ferry');
  t.equal(ferryConfigArg(['sleep', '60'], 'serve'), undefined);
});

/** A process that records the SIGHUPs it gets, with whatever command line the test gives it. */
function decoy(args: string[]): { child: ChildProcess; hups: () => number } {
  const child = spawn(process.execPath, ['-e', "process.on('SIGHUP', () => process.stdout.write('HUP\\n')); setInterval(() => {}, 1000);",
    ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  guardChild(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  return { child, hups: () => out.split('HUP').length - 1 };
}

t.test('ferry rules leaves alone what a stale pid file names, and still reloads a real Ferry', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const raw = rawConfig(regions, { rules: [RULE], journal: { path: 'journal.db' }, log: { level: 'info' } });
  const file = writeConfig(regions.dir, raw, 'pid.json');
  const other = writeConfig(regions.dir, { ...raw, journal: { path: 'other.db' } }, 'other.json');
  const pidFile = join(regions.dir, 'journal.db.serve.pid');

  // A process SIGHUP kills (the default action), then processes that look more and more like the right one.
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  guardChild(sleeper);
  const sleeping = await new Promise<boolean>((r) => { sleeper.once('spawn', () => r(true)); sleeper.once('error', () => r(false)); });
  t.ok(sleeping, 'sleep(1) runs');
  const lookalike = decoy(['serve', '--config', file]);
  const otherFerry = await startFerryProcess(other);
  t.teardown(async () => { sleeper.kill(); lookalike.child.kill(); await otherFerry.kill(); });
  const otherReloads = () => otherFerry.output.filter((l) => l.includes('configuration reloaded')).length;
  const strangers: Array<[string, number]> = [['a process SIGHUP would kill', sleeper.pid!],
    ['a process whose command line says serve --config with this file', lookalike.child.pid!],
    ['a Ferry serving another config', otherFerry.child.pid!]];
  for (const [what, pid] of strangers) {
    writeFileSync(pidFile, String(pid), { mode: 0o600 });
    const r = await runCli(['rules', 'disable', 'photos', '--config', file]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stderr, new RegExp(`journal\\.db\\.serve\\.pid names pid ${pid}, which is not signalled`), `${what}: the note says so`);
    t.equal(r.stdout, 'rule photos disabled\n', `${what}: no process reloading`);
    await runCli(['rules', 'enable', 'photos', '--config', file]);
  }
  await new Promise((r) => setTimeout(r, 300));
  t.equal(sleeper.exitCode, null, 'the process SIGHUP would kill still runs');
  t.equal(sleeper.signalCode, null);
  t.equal(lookalike.hups(), 0, 'the look-alike got no SIGHUP');
  t.equal(otherReloads(), 0, 'the Ferry of another config did not reload');

  // The real one is signalled.
  const ferry = await startFerryProcess(file);
  t.teardown(() => ferry.kill());
  const r = await runCli(['rules', 'disable', 'photos', '--config', file]);
  t.equal(r.stdout, 'rule photos disabled; 1 running Ferry process(es) reloading\n', 'a real ferry serve of this config is signalled');
  await waitFor(() => ferry.output.some((l) => l.includes('configuration reloaded')), 10_000, 'the reload');
});
