import t from 'tap';
import { join } from 'node:path';
import { s3cmd } from '../helpers/clients-cli.js';
import { BUCKET, fileMd5, randomFile, startClientWorld } from '../helpers/clients-world.js';

t.test('s3cmd through the gateway', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const s3 = s3cmd(w.port, join(w.tmp, 'home'));
  const small = randomFile(w.tmp, 'small.bin', 5000);
  const big = randomFile(w.tmp, 'big.bin', 17 * 1024 * 1024);

  t.test('put stores the bytes (single part and multipart)', async (t) => {
    for (const [file, key] of [[small, 's3cmd/small.bin'], [big, 's3cmd/big.bin']] as const) {
      const r = await s3(['put', '--multipart-chunk-size-mb=5', file.path, `s3://${BUCKET}/${key}`]);
      t.equal(r.code, 0, `put ${key}: ${r.stderr}`);
      t.equal((await w.stored(key))?.md5, file.md5, `${key} bytes at the source`);
    }
    t.same(w.journalRows('s3cmd/big.bin').map((row) => row.operation), ['CompleteMultipartUpload']);
  });

  t.test('get downloads the bytes back (and checks their MD5 itself)', async (t) => {
    for (const [file, key] of [[small, 's3cmd/small.bin'], [big, 's3cmd/big.bin']] as const) {
      const out = join(w.tmp, `${key.replace('/', '-')}.out`);
      const r = await s3(['get', `s3://${BUCKET}/${key}`, out]);
      t.equal(r.code, 0, `get ${key}: ${r.stderr}`);
      t.notMatch(r.stderr, /WARNING: MD5 signatures do not match/);
      t.equal(await fileMd5(out), file.md5);
    }
  });

  t.test('ls lists buckets and keys', async (t) => {
    const buckets = await s3(['ls']);
    t.equal(buckets.code, 0, buckets.stderr);
    t.match(buckets.stdout, /s3:\/\/data/);
    const keys = await s3(['ls', `s3://${BUCKET}/s3cmd/`]);
    t.equal(keys.code, 0, keys.stderr);
    t.match(keys.stdout, /\s5000\s+s3:\/\/data\/s3cmd\/small\.bin/);
    t.match(keys.stdout, /\s17825792\s+s3:\/\/data\/s3cmd\/big\.bin/);
    // NOTE: not `s3cmd info`: it reads the object ACL, whose XML from s3rver it cannot parse (directly too).
    const md5s = await s3(['ls', '--list-md5', `s3://${BUCKET}/s3cmd/small.bin`]);
    t.equal(md5s.code, 0, md5s.stderr);
    t.match(md5s.stdout, new RegExp(`\\s${small.md5}\\s+s3://data/s3cmd/small\\.bin`));
  });

  t.test('del removes at the source', async (t) => {
    for (const key of ['s3cmd/small.bin', 's3cmd/big.bin']) {
      const r = await s3(['del', `s3://${BUCKET}/${key}`]);
      t.equal(r.code, 0, r.stderr);
      t.equal(await w.stored(key), null, `${key} gone`);
    }
    const keys = await s3(['ls', `s3://${BUCKET}/s3cmd/`]);
    t.equal(keys.stdout.trim(), '');
  });
});
