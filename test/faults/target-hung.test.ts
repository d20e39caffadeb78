// Fault: a target region that accepts connections and never answers (SIGSTOP), for longer than maxAttempts times
// the request timeout. Header and body timeouts are no answer: they wait like a refused connection and use up no
// attempt, so nothing ends failed, and everything ships once the region answers again.
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { RULE, journalCounts, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';

const TIMEOUT_MS = 1_000;
const MAX_ATTEMPTS = 3;
const HANG_MS = Number(process.env.FERRY_FAULT_HANG_MS ?? 12_000);

t.test(`a hung target region (${HANG_MS / 1000} s, over ${MAX_ATTEMPTS} attempts x ${TIMEOUT_MS / 1000} s timeout) fails nothing`, async (t) => {
  t.ok(HANG_MS > MAX_ATTEMPTS * TIMEOUT_MS * 2, 'the hang outlasts every attempt the shipper could spend');
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, { rules: [RULE], upstream: { timeoutMs: TIMEOUT_MS },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 500, maxAttempts: MAX_ATTEMPTS } }) as { journal: { path: string } };
  const ferry = await startTestFerry(raw);
  t.teardown(async () => {
    regions.target.child.kill('SIGCONT');
    await ferry.stop();
    await regions.stop();
  });
  const s3 = sdkClient(ferry.endpoint);
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'before', Body: 'shipped before the hang' }));
  await waitDrained(raw.journal.path, 20_000);

  regions.target.child.kill('SIGSTOP');
  const keys = Array.from({ length: 20 }, (_, i) => `hung/${i}`);
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: `during the hang ${Key}` }));
  await sleep(HANG_MS);
  const during = journalCounts(raw.journal.path);
  t.equal(during.byState.failed ?? 0, 0, 'nothing failed while the region hung');
  t.ok((during.byState.pending ?? 0) + (during.byState.intent ?? 0) >= keys.length, 'the changes wait, pending');
  const attempts = withJournal(raw.journal.path, (db) => db.prepare('SELECT max(attempts) AS n FROM queue').pluck().get() as number | null);
  t.equal(attempts ?? 0, 0, 'and no attempt was used up');

  regions.target.child.kill('SIGCONT');
  await waitDrained(raw.journal.path, 60_000);
  t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, 'still nothing failed');
  await waitFor(async () => (await compareBuckets(regionClient(regions.source), 'photos', regionClient(regions.target), 'photos-replica')).length === 0,
    20_000, 'the target to equal the source');
  t.pass('everything shipped once the region answered');
  s3.destroy();
});
