// What a resync's walk learned saves the shipper a request: a key the walk found missing from the target is copied
// without a HEAD of the target first. The hint never decides a delete: a key gone from the source by the time it
// ships is looked for in the target, and a copy that landed there meanwhile is deleted.
import t from 'tap';
import { md5, rawConfig, regionClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';
import { deleteKey, directClient, putKeys } from '../helpers/ops-objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { openJournalFile } from '../helpers/journal-sql.js';
import { storedObject } from '../helpers/objects.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('keys a resync found missing ship without a HEAD of the target; a delete still looks first', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.target.endpoint).start();
  t.teardown(async () => { await proxy.stop(); await regions.stop(); });
  const raw = rawConfig(regions, { rules: [RULE], shipper: { pollIntervalMs: 100 } }) as { regions: Record<string, { endpoint: string }> };
  raw.regions['cn-sh']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const src = directClient(regions.source);
  const dst = directClient(regions.target);
  t.teardown(async () => { await src.close(); await dst.close(); });

  // The key deleted below has a folder of its own: s3rver removes a folder a delete leaves empty, and a PUT into
  // that folder at the same moment crashes it (ENOENT opening the object file).
  const missing = ['m/plain', 'm/a&b<c "q"', "m/it's ü/東京", 'm/tab\there', 'gone/later'];
  await putKeys(src, 'photos', [...missing, 'd/differs'], (k) => `source bytes of ${k}`);
  await putKeys(dst, 'photos-replica', ['d/differs'], () => 'an older copy');

  const resync = await runCli(['resync', '--rule', 'photos', '-c', file]);
  t.equal(resync.code, 0, resync.stderr);
  t.match(resync.stdout, /5 missing, 0 extra, 1 different; 6 resync row\(s\) written/);
  // Before it ships: the source loses one key, and a copy of it reaches the target by another way.
  await deleteKey(src, 'photos', 'gone/later');
  await putKeys(dst, 'photos-replica', ['gone/later'], () => 'landed meanwhile');

  const db = openJournalFile((raw as { journal: { path: string } }).journal.path);
  t.teardown(() => db.close());
  proxy.log.length = 0;
  const shipper = await startTestFerry(raw, { gateway: false });
  t.teardown(() => shipper.stop());
  await waitFor(() => db.prepare("SELECT count(*) FROM changes WHERE state IN ('shipped', 'unchanged')").pluck().get() === 6, 30_000,
    'the resync rows to ship');

  const heads = (key: string) => proxy.log.filter((l) => {
    const [method, url] = l.split(' ');
    return method === 'HEAD' && decodeURIComponent(url!.split('?')[0]!) === `/photos-replica/${key}`;
  }).length;
  // A first attempt that failed takes the hint away (its PUT may have reached the target), so its retry looks first.
  const failedAttempts = (key: string) => db.prepare(`SELECT a.detail FROM attempts a JOIN changes c ON c.seq = a.seq
    WHERE c.key = ? AND a.result = 'error'`).pluck().all(key) as string[];
  let clean = 0;
  for (const key of missing.slice(0, 4)) {
    const failed = failedAttempts(key);
    for (const f of failed) t.comment(`${JSON.stringify(key)}: an attempt failed (${f}), so its retry looked at the target`);
    if (failed.length === 0) {
      clean++;
      t.equal(heads(key), 0, `no HEAD of the target before copying ${JSON.stringify(key)}`);
    }
    t.equal((await storedObject(regionClient(regions.target), 'photos-replica', key))?.md5, md5(`source bytes of ${key}`), 'its bytes arrived');
  }
  t.ok(clean >= 2, `most keys shipped at the first attempt (${clean} of 4), so the hint was put to the test`);
  t.ok(heads('d/differs') >= 1, 'a key the target holds otherwise is looked at first, as before');
  t.equal((await storedObject(regionClient(regions.target), 'photos-replica', 'd/differs'))?.md5, md5('source bytes of d/differs'));
  t.ok(heads('gone/later') >= 1, 'a key gone from the source is looked for in the target despite the hint');
  t.equal(await storedObject(regionClient(regions.target), 'photos-replica', 'gone/later'), null, 'and the copy found there deleted');
});
