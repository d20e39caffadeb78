import t from 'tap';
import { join } from 'node:path';
import { rclone } from '../helpers/clients-cli.js';
import { md5 } from '../helpers/world.js';
import { BUCKET, fileMd5, randomFile, startClientWorld } from '../helpers/clients-world.js';

const MULTIPART = ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M'];

t.test('rclone through the gateway', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const rc = rclone(w.endpoint, join(w.tmp, 'home'));
  const small = randomFile(w.tmp, 'small.txt', 3000);
  const big = randomFile(w.tmp, 'big.bin', 12 * 1024 * 1024);

  t.test('copyto stores a small file and a 12 MB multipart file byte for byte', async (t) => {
    for (const [file, key] of [[small, 'rc/small.txt'], [big, 'rc/big.bin']] as const) {
      const r = await rc(['copyto', ...MULTIPART, file.path, `ferry:${BUCKET}/${key}`]);
      t.equal(r.code, 0, `copyto ${key}: ${r.stderr}`);
      t.equal((await w.stored(key))?.md5, file.md5, `${key} bytes at the source`);
    }
    t.equal((await w.stored('rc/big.bin'))?.size, 12 * 1024 * 1024);
    const rows = await w.appliedRows('rc/big.bin');
    t.same(rows.map((row) => row.operation), ['CompleteMultipartUpload'], 'uploaded in parts, journaled once');
    t.ok(rows.every((row) => row.state === 'pending' || row.state === 'shipped'), 'journaled as applied');
  });

  t.test('lsf and ls list what is stored (ListObjects v1)', async (t) => {
    const lsf = await rc(['lsf', `ferry:${BUCKET}/rc/`]);
    t.equal(lsf.code, 0, lsf.stderr);
    t.same(lsf.stdout.trim().split('\n').sort(), ['big.bin', 'small.txt']);
    const ls = await rc(['ls', `ferry:${BUCKET}`]);
    t.equal(ls.code, 0, ls.stderr);
    t.match(ls.stdout, /\s3000 rc\/small\.txt/);
    t.match(ls.stdout, /\s12582912 rc\/big\.bin/);
  });

  t.test('cat and copyto download the bytes back', async (t) => {
    const cat = await rc(['cat', `ferry:${BUCKET}/rc/small.txt`]);
    t.equal(cat.code, 0, cat.stderr);
    t.equal(md5(cat.bytes), small.md5);
    const out = join(w.tmp, 'big.out');
    const r = await rc(['copyto', `ferry:${BUCKET}/rc/big.bin`, out]);
    t.equal(r.code, 0, r.stderr);
    t.equal(await fileMd5(out), big.md5);
    const smallOut = join(w.tmp, 'small.out');
    t.equal((await rc(['copyto', `ferry:${BUCKET}/rc/small.txt`, smallOut])).code, 0);
    t.equal(await fileMd5(smallOut), small.md5);
  });

  t.test('check compares local and remote hashes', async (t) => {
    const r = await rc(['check', '--one-way', '--download', w.tmp, `ferry:${BUCKET}/rc/`, '--include', '{small.txt,big.bin}']);
    t.equal(r.code, 0, r.stderr);
  });

  t.test('deletefile and delete remove at the source', async (t) => {
    const one = await rc(['deletefile', `ferry:${BUCKET}/rc/small.txt`]);
    t.equal(one.code, 0, one.stderr);
    t.equal(await w.stored('rc/small.txt'), null);
    const all = await rc(['delete', `ferry:${BUCKET}/rc/`]);
    t.equal(all.code, 0, all.stderr);
    t.equal(await w.stored('rc/big.bin'), null);
    const lsf = await rc(['lsf', `ferry:${BUCKET}/rc/`]);
    t.equal(lsf.stdout.trim(), '');
  });
});
