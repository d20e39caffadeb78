import t from 'tap';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { guardChild } from '../helpers/child-guard.js';
import { findAwsCli } from '../../src/cli/demo/aws-cli.js';
import { demoConfig } from '../../src/cli/demo/demo-config.js';

const run = promisify(execFile);

interface Demo {
  child: ChildProcess;
  banner: string;
  field(name: string): string;
  /** SIGINT, as Ctrl-C; resolves with the exit status. */
  stop(): Promise<number | null>;
}

/**
 * `ferry demo ARGS` in its own process group, resolved once its banner is out. A demo that exits or cannot be
 * spawned first fails at once with its output; the test's teardown kills the whole group (the demo and its two
 * regions) whatever happened.
 */
async function startDemo(t: Tap.Test, args: string[]): Promise<Demo> {
  const child = spawn(process.execPath, [CLI, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  guardChild(child, true);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no demo banner within 60 s: ${lines.join('\n')}${stderr}`)), 60_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`ferry demo exited (${code ?? signal}) before its banner: ${stderr}`)); });
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      if (l.startsWith('Ctrl-C')) {
        clearTimeout(timer);
        resolve(lines.join('\n'));
      }
    });
  });
  return {
    child, banner,
    field: (name) => new RegExp(`^  ${name}:\\s+(.+)$`, 'm').exec(banner)?.[1] ?? '',
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

t.test('the AWS CLI v2 is found past an older aws first on PATH', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-aws-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const old = join(dir, 'aws');
  writeFileSync(old, '#!/bin/sh\necho "aws-cli/1.18.69 Python/2.7.18 Linux/5.10 botocore/1.17.0" >&2\n');
  chmodSync(old, 0o755);
  const none = findAwsCli(dir, []);
  t.match(none, { found: false, why: /found only .*\/aws \(aws-cli\/1\.18\.69\)/, install: /apt-get install awscli/ });
  const v2 = findAwsCli(`${dir}:/usr/bin`, ['/usr/bin/aws']);
  t.match(v2, { found: true, path: '/usr/bin/aws', version: /^aws-cli\/2\./, first: false }, 'a v1 first on PATH is passed over');
  t.match(findAwsCli('/usr/bin'), { found: true, path: '/usr/bin/aws', first: true });
  t.match(findAwsCli(join(dir, 'nowhere'), []), { found: false, why: /no AWS CLI on PATH/ });
});

t.test('a demo configuration from an earlier run keeps its rules; only addresses change (pure)', async (t) => {
  const a = { listen: '127.0.0.1:9000', admin: '127.0.0.1:9001', source: 'http://127.0.0.1:4568', target: 'http://127.0.0.1:4569' };
  const fresh = demoConfig(a);
  t.match(fresh, { listen: a.listen, admin: { listen: a.admin }, rules: [{ id: 'photos' }], journal: { path: 'journal.db' } });
  const earlier = { ...fresh, rules: [...(fresh.rules as unknown[]), { id: 'docs', source: 'docs', target: { region: 'cn-sh', bucket: 'docs-replica' } }],
    shipper: { concurrency: 2 } };
  const next = demoConfig({ ...a, listen: '127.0.0.1:9100', target: 'http://127.0.0.1:4600' }, earlier);
  t.match(next, { listen: '127.0.0.1:9100', rules: [{ id: 'photos' }, { id: 'docs' }], shipper: { concurrency: 2 },
    regions: { 'cn-bj': { endpoint: a.source, accessKeyId: 'S3RVER' }, 'cn-sh': { endpoint: 'http://127.0.0.1:4600' } } });
});

t.test('ferry demo is a real installation: the AWS CLI from its banner, every ferry command on its ferry.json, the admin listener', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const demo = await startDemo(t, ['--dir', dir, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--source-port', '0', '--target-port', '0']);
  const file = join(dir, 'ferry.json');
  t.equal(demo.field('configuration'), file, 'the banner names DIR/ferry.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { listen: string; admin: { listen: string }; regions: Record<string, { endpoint: string }> };
  const endpoint = demo.field('endpoint');
  const targetEndpoint = /^cn-sh (\S+)/.exec(demo.field('target region'))![1]!;
  t.equal(endpoint, `http://${config.listen}`, 'the file names the port the gateway listens on');
  t.equal(targetEndpoint, config.regions['cn-sh']!.endpoint);
  t.equal(demo.field('console'), `http://${config.admin.listen}/`, 'the console is on the admin listener, on loopback');
  t.match(config.admin.listen, /^127\.0\.0\.1:\d+$/);
  const health = await fetch(new URL('healthz', demo.field('console')));
  t.equal(health.status, 200, 'the admin listener answers');

  const aws = /^(\S+) \((aws-cli\/2\.[^)]+)\)$/.exec(demo.field('AWS CLI v2'));
  t.ok(aws, `the banner names the AWS CLI v2 it found: ${demo.field('AWS CLI v2')}`);
  const awsPath = aws![1]!;
  t.match((await run(awsPath, ['--version'])).stdout, /^aws-cli\/2\./);
  const cp = /^  echo hello > hello\.txt && (\S+) --endpoint-url (\S+) s3 cp hello\.txt s3:\/\/photos\/hello\.txt$/m.exec(demo.banner);
  t.ok(cp, 'the banner shows the cp line');
  t.ok(cp![1] === 'aws' || cp![1] === awsPath, 'its commands run the AWS CLI v2 (by path when another aws comes first on PATH)');

  const key = demo.field('access key id');
  const secret = demo.field('secret access key').split(/\s/)[0]!;
  const home = join(dir, 'home');
  const env = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_DEFAULT_REGION: 'cn-bj', AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret };
  const hello = join(dir, 'hello.txt');
  writeFileSync(hello, 'hello from the demo\n');
  await run(awsPath, ['--endpoint-url', endpoint, 's3', 'cp', hello, 's3://photos/hello.txt'], { env });
  t.match((await run(awsPath, ['--endpoint-url', endpoint, 's3', 'ls', 's3://photos/'], { env })).stdout, /hello\.txt/);
  const targetEnv = { ...env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  const copy = async () => (await run(awsPath, ['--endpoint-url', targetEndpoint, 's3', 'cp', 's3://photos-replica/hello.txt', '-'], { env: targetEnv })
    .catch(() => ({ stdout: '' }))).stdout;
  const deadline = Date.now() + 30_000;
  while ((await copy()) !== 'hello from the demo\n' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.equal(await copy(), 'hello from the demo\n', 'the object reached the target region');

  const status = await runCli(['status', '--config', file]);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /^RULE\s+ENABLED/, 'ferry status works against the running demo');
  t.match(status.stdout, /\nphotos\s+yes\s/, 'and shows its rule');
  const json = JSON.parse((await runCli(['status', '--config', file, '--json'])).stdout) as { rules: Array<{ rule: string; shipped: { lastMinute: number } }> };
  t.match(json.rules, [{ rule: 'photos', shipped: { lastMinute: 1 } }], 'with the change it shipped');
  const journal = await runCli(['journal', 'ls', '--config', file]);
  t.match(journal.stdout, /photos\s+PutObject\s+photos\/hello\.txt\s+FERRYDEMOKEY\s+shipped/);
  const verify = await runCli(['verify', '--deep', '--config', file]);
  t.equal(verify.code, 0, verify.stdout);

  // A rule added from the command line reaches the running demo through its admin listener, and outlives it.
  await run(awsPath, ['--endpoint-url', config.regions['cn-bj']!.endpoint, 's3', 'mb', 's3://docs'], { env: targetEnv });
  await run(awsPath, ['--endpoint-url', targetEndpoint, 's3', 'mb', 's3://docs-replica'], { env: targetEnv });
  const add = await runCli(['rules', 'add', '--config', file, '--id', 'docs', '--source', 'docs', '--target-region', 'cn-sh', '--target-bucket', 'docs-replica']);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, 'rule docs added; 1 running Ferry process(es) reloading\n');
  t.equal(await demo.stop(), 0, 'Ctrl-C stops the demo cleanly');

  // The next run on the same ports: the banner's lines of the first run still work, and the rule is still there.
  const again = await startDemo(t, ['--dir', dir, '--listen', config.listen, '--admin', config.admin.listen,
    '--source-port', new URL(config.regions['cn-bj']!.endpoint).port, '--target-port', new URL(targetEndpoint).port]);
  t.equal(again.field('endpoint'), endpoint, 'the same endpoint');
  t.match((await run(awsPath, ['--endpoint-url', targetEndpoint, 's3', 'ls', 's3://photos-replica/'], { env: targetEnv })).stdout, /hello\.txt/,
    'the first banner\'s target line lists the replica');
  const rules = await runCli(['rules', 'ls', '--config', file]);
  t.match(rules.stdout, /\nphotos\s+photos\s+cn-sh\/photos-replica\s+true\ndocs\s+docs\s+cn-sh\/docs-replica\s+true\n$/, 'both rules are kept');
  const busy = await runCli(['demo', '--dir', dir, '--listen', config.listen]);
  t.equal(busy.code, 2, 'a second demo on the same address');
  t.match(busy.stderr, `ferry: ADDRESS_IN_USE: the demo gateway: ${config.listen} is already in use`);
  t.match(busy.stderr, /hint: stop what listens there .*an earlier `ferry demo` still running/);
  t.equal(await again.stop(), 0);
});
