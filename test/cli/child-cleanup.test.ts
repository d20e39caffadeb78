// No test waits on a child that failed to start, and none leaves one behind when it is killed.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/clients-cli.js';
import { runCli } from '../helpers/ops-cli.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { offlineConfig } from '../helpers/ops-journal.js';
import { waitFor } from '../helpers/world.js';

/** Whether a pid is a live process (a zombie waiting for its reaper is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

t.test('a program that cannot be spawned fails at once', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const started = Date.now();
  await t.rejects(run('/nonexistent/ferry-test-program', [], { PATH: '/nonexistent' }), { code: 'ENOENT' });
  t.ok(Date.now() - started < 2_000, 'within moments');
  t.equal(timers(), before, 'and leaves no timer behind to hold the test file open');
});

t.test('a Ferry that exits at start fails the wait at once, with its output', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-child-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = writeConfig(dir, { ...offlineConfig([]), listen: 'nowhere' });
  const started = Date.now();
  await t.rejects(startFerryProcess(file), { message: /ferry exited with 2: .*ferry: /s });
  t.ok(Date.now() - started < 10_000, 'without waiting for a listening line that never comes');
});

t.test('what a killed test file started is killed with it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-child-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The test runner's TypeScript loader, so the stand-in runs as test files do.
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const script = fileURLToPath(new URL('./fixtures/starts-children.ts', import.meta.url));
  const child = spawn(process.execPath, [...loader, script, join(dir, 'region')], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { child.kill('SIGKILL'); });
  const pids = await new Promise<Record<string, number>>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the stand-in exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, number>));
  });
  for (const [what, pid] of Object.entries(pids)) t.ok(alive(pid), `${what} runs`);
  child.kill('SIGKILL');
  await waitFor(() => Object.values(pids).every((pid) => !alive(pid)), 10_000, 'the children to go');
  for (const [what, pid] of Object.entries(pids)) t.notOk(alive(pid), `${what} is gone`);
});
