import t from 'tap';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI } from '../helpers/ferry-process.js';
import { waitFor } from '../helpers/world.js';

const run = promisify(execFile);

t.test('ferry demo comes up and an object put with the AWS CLI reaches the target region', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  const child = spawn(process.execPath, [CLI, 'demo', '--dir', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  await waitFor(() => lines.some((l) => l.startsWith('Ctrl-C')), 30_000, 'the demo banner');
  const text = lines.join('\n');
  const endpoint = /endpoint:\s+(\S+)/.exec(text)![1]!;
  const targetEndpoint = /target region:\s+cn-sh (\S+)/.exec(text)![1]!;
  const key = /access key id:\s+(\S+)/.exec(text)![1]!;
  const secret = /secret access key:\s+(\S+)/.exec(text)![1]!;
  const home = join(dir, 'home');
  const env = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_DEFAULT_REGION: 'cn-bj', AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret };
  const file = join(dir, 'hello.txt');
  writeFileSync(file, 'hello from the demo\n');
  await run('/usr/bin/aws', ['--endpoint-url', endpoint, 's3', 'cp', file, 's3://photos/hello.txt'], { env });
  const listed = await run('/usr/bin/aws', ['--endpoint-url', endpoint, 's3', 'ls', 's3://photos/'], { env });
  t.match(listed.stdout, /hello\.txt/);
  const targetEnv = { ...env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  await waitFor(async () => {
    const r = await run('/usr/bin/aws', ['--endpoint-url', targetEndpoint, 's3', 'ls', 's3://photos-replica/'], { env: targetEnv }).catch(() => ({ stdout: '' }));
    return r.stdout.includes('hello.txt');
  }, 30_000, 'hello.txt in the target region');
  const copy = await run('/usr/bin/aws', ['--endpoint-url', targetEndpoint, 's3', 'cp', 's3://photos-replica/hello.txt', '-'], { env: targetEnv });
  t.equal(copy.stdout, 'hello from the demo\n');
  child.kill('SIGINT');
  t.equal(await exited, 0, 'Ctrl-C stops the demo cleanly');
});
