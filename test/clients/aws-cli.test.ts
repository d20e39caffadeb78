import t from 'tap';
import { join } from 'node:path';
import { awsCli } from '../helpers/clients-cli.js';
import { BUCKET, fileMd5, randomFile, startClientWorld } from '../helpers/clients-world.js';

t.test('AWS CLI v2 through the gateway', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const aws = awsCli(w.endpoint, join(w.tmp, 'home'));
  const small = randomFile(w.tmp, 'small.bin', 1024);
  const big = randomFile(w.tmp, 'big.bin', 20 * 1024 * 1024);

  t.test('s3 cp uploads a 1 KiB and a 20 MB (multipart) file with the right bytes', async (t) => {
    for (const [file, key] of [[small, 'cli/small.bin'], [big, 'cli/big.bin']] as const) {
      const r = await aws(['s3', 'cp', file.path, `s3://${BUCKET}/${key}`]);
      t.equal(r.code, 0, `cp ${key}: ${r.stderr}`);
      const stored = await w.stored(key);
      t.equal(stored?.md5, file.md5, `${key} bytes at the source`);
      t.ok((await w.appliedRows(key)).length, `${key} journaled`);
    }
    t.equal((await w.stored('cli/big.bin'))?.size, 20 * 1024 * 1024);
  });

  t.test('s3 cp downloads both back unchanged', async (t) => {
    for (const [file, key] of [[small, 'cli/small.bin'], [big, 'cli/big.bin']] as const) {
      const out = join(w.tmp, `${key.replace('/', '-')}.out`);
      const r = await aws(['s3', 'cp', `s3://${BUCKET}/${key}`, out]);
      t.equal(r.code, 0, `cp down ${key}: ${r.stderr}`);
      t.equal(await fileMd5(out), file.md5, `${key} downloaded bytes`);
    }
  });

  t.test('s3 ls lists the keys with their sizes', async (t) => {
    const r = await aws(['s3', 'ls', `s3://${BUCKET}/cli/`]);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /\s1024 small\.bin/);
    t.match(r.stdout, /\s20971520 big\.bin/);
    const buckets = await aws(['s3', 'ls']);
    t.equal(buckets.code, 0, buckets.stderr);
    t.match(buckets.stdout, /\sdata\n/);
  });

  t.test('s3 rm deletes at the source', async (t) => {
    const r = await aws(['s3', 'rm', `s3://${BUCKET}/cli/small.bin`]);
    t.equal(r.code, 0, r.stderr);
    t.equal(await w.stored('cli/small.bin'), null);
    t.ok(w.journalRows('cli/small.bin').length >= 2, 'the delete is journaled');
  });

  t.test('s3api delete-objects deletes several keys and reports each', async (t) => {
    for (const key of ['cli/a.txt', 'cli/b.txt']) {
      const r = await aws(['s3', 'cp', small.path, `s3://${BUCKET}/${key}`]);
      t.equal(r.code, 0, r.stderr);
    }
    const r = await aws(['s3api', 'delete-objects', '--bucket', BUCKET, '--output', 'json',
      '--delete', JSON.stringify({ Objects: [{ Key: 'cli/a.txt' }, { Key: 'cli/b.txt' }, { Key: 'cli/big.bin' }] })]);
    t.equal(r.code, 0, r.stderr);
    const deleted = (JSON.parse(r.stdout) as { Deleted: Array<{ Key: string }> }).Deleted.map((d) => d.Key).sort();
    t.same(deleted, ['cli/a.txt', 'cli/b.txt', 'cli/big.bin']);
    for (const key of deleted) t.equal(await w.stored(key), null, `${key} gone at the source`);
    const ls = await aws(['s3', 'ls', `s3://${BUCKET}/cli/`]);
    t.equal(ls.stdout.trim(), '');
  });
});
