import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { rawConfig, startRegions, waitFor } from '../helpers/world.js';
import { CLI, runCli, writeConfig } from '../helpers/ops-cli.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };
const TOKEN = 'reload-test-token-9876543210';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('ferry rules reloads a running ferry serve through the admin listener, SIGHUP as fallback', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const port = await freePort();
  const file = writeConfig(regions.dir, rawConfig(regions, {
    rules: [RULE], admin: { listen: `127.0.0.1:${port}`, token: '${ADMIN_TOKEN}' }, log: { level: 'info' },
  }));
  const serve = spawn(process.execPath, [CLI, 'serve', '-c', file], { env: { ...process.env, ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => serve.once('exit', r));
  t.teardown(async () => { serve.kill('SIGTERM'); await exited; });
  const logs: string[] = [];
  createInterface({ input: serve.stdout! }).on('line', (l) => logs.push(l));
  await waitFor(() => logs.some((l) => l.startsWith('ferry listening on')), 30_000, 'ferry serve to start');
  const status = async () => (await (await fetch(`http://127.0.0.1:${port}/status`, { headers: { authorization: `Bearer ${TOKEN}` } }))
    .json()) as { rules: Array<{ rule: string; enabled: boolean }> };
  const reloads = () => logs.filter((l) => l.includes('"configuration reloaded"')).length;
  t.equal((await status()).rules[0]!.enabled, true);

  const off = await runCli(['rules', 'disable', 'photos', '-c', file], { env: { ADMIN_TOKEN: TOKEN } });
  t.equal(off.code, 0, off.stderr);
  t.equal(off.stdout, 'rule photos disabled; 1 running Ferry process(es) reloading\n');
  t.equal(off.stderr, '');
  t.equal((await status()).rules[0]!.enabled, false, 'the reload has taken effect when the command returns');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(reloads(), 1, 'reloaded once: the process that answered is not also signalled');

  // Without the token in its environment, the command cannot use the admin listener and signals instead.
  const on = await runCli(['rules', 'enable', 'photos', '-c', file], { env: { ADMIN_TOKEN: undefined } });
  t.equal(on.code, 0, on.stderr);
  t.match(on.stderr, /^note: admin reload did not answer \(admin\.token: environment variable ADMIN_TOKEN is not set\); signalling instead\n$/);
  t.equal(on.stdout, 'rule photos enabled; 1 running Ferry process(es) reloading\n');
  await waitFor(async () => (await status()).rules[0]!.enabled, 10_000, 'the SIGHUP reload');
  t.equal(reloads(), 2);

  const wrong = await runCli(['rules', 'disable', 'photos', '-c', file], { env: { ADMIN_TOKEN: 'wrong' } });
  t.match(wrong.stderr, /admin reload did not answer \(401 ADMIN_UNAUTHORIZED/);
  await waitFor(async () => !(await status()).rules[0]!.enabled, 10_000, 'the SIGHUP reload after a refused token');
});
