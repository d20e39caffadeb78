import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { journalDb } from '../helpers/journal-sql.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('a running Ferry prunes shipped rows by journal.retention and the chain still verifies', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const raw = rawConfig(regions, { rules: [RULE] });
  const first = await startTestFerry(raw);
  const s3 = sdkClient(first.endpoint);
  for (let i = 0; i < 8; i++) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `r${i}`, Body: `v${i}` }));
  const count = (f: typeof first, sql: string) => journalDb(f.journal).prepare(sql).pluck().get() as number;
  await waitFor(() => count(first, "SELECT count(*) FROM changes WHERE state = 'shipped'") === 8, 20_000, 'shipping');
  await first.stop();

  await t.rejects(startTestFerry({ ...raw, journal: { ...(raw.journal as object), retention: 'forever' } }),
    { code: 'CONFIG_INVALID', message: /journal\.retention "forever" is not a duration/ });

  const second = await startTestFerry({ ...raw, journal: { ...(raw.journal as object), retention: '1ms' } });
  t.teardown(() => second.stop());
  await waitFor(() => count(second, 'SELECT count(*) FROM changes') === 1, 10_000, 'pruning soon after start');
  t.same(journalDb(second.journal).prepare('SELECT seq FROM changes').pluck().all(), [8], 'the newest row stays: new rows chain from it');
  t.same(journalDb(second.journal).prepare('SELECT seq FROM checkpoints').pluck().all(), [7]);
  t.match((await second.journal.verifyChain()), { ok: true, checkpoints: 1 });

  const s3b = sdkClient(second.endpoint);
  await s3b.send(new PutObjectCommand({ Bucket: 'photos', Key: 'after', Body: 'x' }));
  t.match((await second.journal.verifyChain()), { ok: true, rows: 2, verified: 2 }, 'appends after pruning verify');
});
