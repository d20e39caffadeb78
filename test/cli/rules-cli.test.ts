import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, statSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { CLI, startFerryProcess, writeConfig } from '../helpers/ferry-process.js';

const run = promisify(execFile);
const ferry = (...args: string[]) => run(process.execPath, [CLI, ...args]).then(
  (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }));

t.test('ferry rules edits the file atomically and a running Ferry reloads', async (t) => {
  const regions = await startRegions({ source: ['photos', 'docs'], target: ['photos-replica', 'docs-replica'] });
  const raw = rawConfig(regions, { clients: [{ accessKeyId: 'FERRYTESTKEY', secretAccessKey: '${FERRY_TEST_SECRET}' }] });
  const file = writeConfig(regions.dir, raw);
  const env = { FERRY_TEST_SECRET: 'ferry-test-secret-aaaaaaaaaaaaaaaaaaaaaaa' };
  process.env.FERRY_TEST_SECRET = env.FERRY_TEST_SECRET;
  const proc = await startFerryProcess(file, 'serve', env);
  t.teardown(async () => { await proc.kill(); await regions.stop(); });

  let r = await ferry('rules', 'add', '-c', file, '--id', 'photos', '--source', 'photos', '--target-region', 'cn-sh', '--target-bucket', 'photos-replica');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /rule photos added; 1 running Ferry/);
  t.equal(statSync(file).mode & 0o777, 0o600, 'the config is written with mode 0600');
  t.match(readFileSync(file, 'utf8'), /\$\{FERRY_TEST_SECRET\}/, 'secret references stay references');

  r = await ferry('rules', 'add', '-c', file, '--id', 'same', '--source', 'docs', '--target-region', 'cn-bj', '--target-bucket', 'x');
  t.equal(r.code, 2);
  t.match(r.err, /RULE_INVALID.*source region/);
  r = await ferry('rules', 'add', '-c', file, '--id', 'twice', '--source', 'docs', '--target-region', 'cn-sh', '--target-bucket', 'photos-replica');
  t.equal(r.code, 2);
  t.match(r.err, /already bound by rule "photos"/);
  const before = readFileSync(file, 'utf8');
  r = await ferry('rules', 'add', '-c', file, '--id', 'docs', '--source', 'docs', '--target-region', 'cn-sh', '--target-bucket', 'no-such-bucket');
  t.equal(r.code, 2, 'a rule whose target bucket does not exist is refused');
  t.match(r.err, /TARGET_BUCKET_MISSING: rule "docs": target bucket "no-such-bucket" does not exist in region "cn-sh"/);
  t.match(r.err, /hint: create the bucket in the target region/);
  t.equal(readFileSync(file, 'utf8'), before, 'and the file is left as it was');
  r = await ferry('rules', 'add', '-c', file, '--id', 'photos', '--source', 'docs', '--target-region', 'cn-sh', '--target-bucket', 'docs-replica');
  t.equal(r.code, 2);
  t.match(r.err, /RULE_INVALID: rule "photos" already exists/, 'a duplicate id is a coded error');

  const s3 = sdkClient(proc.endpoint);
  const dst = regionClient(regions.target);
  await waitFor(async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'after-add.txt', Body: 'hi' }));
    return (await storedObject(dst, 'photos-replica', 'after-add.txt')) !== null;
  }, 15_000, 'the added rule to take effect');

  r = await ferry('rules', 'disable', 'photos', '-c', file);
  t.equal(r.code, 0, r.err);
  r = await ferry('rules', 'ls', '-c', file);
  t.match(r.out, /photos\s+photos\s+cn-sh\/photos-replica\s+false/);
  r = await ferry('rules', 'ls', '-c', file, '--json');
  t.same(JSON.parse(r.out.trim()), { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: false });
  r = await ferry('rules', 'enable', 'nope', '-c', file);
  t.equal(r.code, 2);
  t.match(r.err, /RULE_NOT_FOUND/);
  r = await ferry('rules', 'rm', 'photos', '-c', file);
  t.equal(r.code, 0, r.err);
  t.same(JSON.parse(readFileSync(file, 'utf8')).rules, []);
});
