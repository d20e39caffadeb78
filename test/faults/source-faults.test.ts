// Fault 3: a fault-injecting proxy between Ferry and the source (503 SlowDown for 10% of requests, 2% connection
// resets, 2 s stalls). Clients get the source's errors unchanged, a failed change is journaled only as rejected,
// and once the faults stop the target converges to the source.
import t from 'tap';
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, startRegions, startTestFerry } from '../helpers/world.js';
import { compareBuckets } from '../helpers/objects.js';
import { FaultProxy, SLOW_DOWN_BODY } from '../helpers/fault-proxy.js';
import { writeConfig } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { plainPut, send, sign } from '../helpers/clients-raw.js';
import { RULE, journalCounts, seeded, sleep, waitDrained, withJournal } from '../helpers/faults-world.js';
import { runWorkload, unjournaledAcks, workloadClient, type Failure, type ChangeStamp } from '../helpers/faults-workload.js';

const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);
const JOURNALED = new Set(['PutObject', 'DeleteObject', 'DeleteObjects', 'CompleteMultipartUpload', 'CopyObject']);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

t.test(`source faults: SlowDown, resets and stalls between Ferry and the source (seed ${seed})`, async (t) => {
  const random = seeded(seed);
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint, seeded(seed + 1)).start();
  const raw = rawConfig(regions, { rules: [RULE], shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 1000, maxAttempts: 10 } }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const port = ferry.address!.port;
  const copyFrom = ['seed/a', 'seed/b'];
  const client = workloadClient(ferry.endpoint);
  for (const Key of copyFrom) await client.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: Key }));
  client.destroy();

  proxy.faults = { slowDownRate: 0.1, resetRate: 0.02, stallMs: 2_000, stallRate: 0.05 };
  let stop = false;
  const work = runWorkload({ endpoint: ferry.endpoint, bucket: 'photos', keys: 200, clients: 8, random, retry: false,
    done: () => stop, copyFrom });
  // Beside the SDK clients, raw requests whose answers are compared byte for byte.
  const rawFailures: Failure[] = [];
  let exact = 0;
  let rawSent = 0;
  const rawClient = (async () => {
    while (!stop) {
      const key = `raw/${Math.floor(random() * 20)}`;
      const roll = random();
      const body = Buffer.from(`raw ${Date.now()}`);
      const req = roll < 0.5 ? plainPut(port, `/photos/${key}`, body)
        : sign(port, { method: roll < 0.8 ? 'GET' : 'DELETE', path: `/photos/${key}`, headers: {} }, sha256(''));
      const sentAt = Date.now();
      const answer = await send(port, req);
      rawSent++;
      if (answer.body.includes('<RequestId>FAULT</RequestId>')) {
        if (answer.status === 503 && answer.body === SLOW_DOWN_BODY) exact++;
        else t.fail(`an injected error reached the client altered: ${answer.status} ${answer.body}`);
      }
      if (answer.status >= 300 && req.method !== 'GET') {
        rawFailures.push({ op: req.method === 'PUT' ? 'PutObject' : 'DeleteObject', keys: [key], sentAt, ackAt: Date.now(),
          name: answer.code ?? `HTTP${answer.status}`, status: answer.status });
      }
    }
  })();
  await sleep(25_000);
  stop = true;
  const result = await work;
  await rawClient;
  proxy.faults = {};

  const failures = [...result.failures, ...rawFailures];
  // The source's own errors pass through (SlowDown from the proxy; s3rver answers some races with InternalError);
  // Ferry answers only when the source gave no answer at all (a reset): 503 ServiceUnavailable.
  const unexpected = failures.filter((f) => !(f.name === 'SlowDown' && f.status === 503) && !(f.name === 'ServiceUnavailable' && f.status === 503)
    && !(f.name === 'InternalError' && f.status === 500 && f.requestId === undefined));
  t.same(unexpected, [], 'clients saw the source\'s errors, or ServiceUnavailable when the source never answered');
  const slow = failures.filter((f) => f.name === 'SlowDown');
  t.ok(slow.every((f) => f.message === undefined || f.message === 'Please reduce your request rate.'), 'SlowDown messages unchanged');
  t.ok(exact > 0, `${exact} injected SlowDown documents reached raw clients byte for byte`);

  await waitDrained(raw.journal.path, 120_000);
  const { wrong, rejected } = withJournal(raw.journal.path, (db) => ({
    wrong: db.prepare("SELECT seq, operation, key, status, state FROM changes WHERE status NOT BETWEEN 200 AND 299 AND state != 'rejected'").all(),
    rejected: db.prepare("SELECT operation, key, created_at FROM changes WHERE state = 'rejected' AND status = 503").all() as ChangeStamp[],
  }));
  t.same(wrong, [], 'no change the source refused is journaled as anything but rejected');
  const slowJournaled = slow.filter((f) => JOURNALED.has(f.op));
  t.same(unjournaledAcks(slowJournaled, rejected), [], 'each change refused with SlowDown has its rejected row');
  t.equal(rejected.length, slowJournaled.reduce((n, f) => n + f.keys.length, 0), 'and no other change is rejected with 503');
  t.equal(journalCounts(raw.journal.path).byState.failed ?? 0, 0, 'the shipper retried its way through: nothing failed');

  const verify = await runCli(['verify', '--config', file, '--rule', 'photos']);
  t.equal(verify.code, 0, `ferry verify: ${verify.stdout.trim().split('\n').pop()}`);
  const diffs = await compareBuckets(regionClient(regions.source), 'photos', regionClient(regions.target), 'photos-replica');
  t.same(diffs, [], 'bytes, metadata and tags equal key by key');
  const resets = failures.filter((f) => f.name === 'ServiceUnavailable').length;
  t.comment(`FIGURES source-faults: seed=${seed} requestsAcknowledged=${result.acks.length} sdkRequests=${result.requests} rawRequests=${rawSent} ` +
    `proxyInjected=${proxy.injected} proxyForwarded=${proxy.forwarded} clientSlowDowns=${slow.length} exactSlowDownBodies=${exact} ` +
    `noAnswer503=${resets} rejectedRows=${rejected.length} differences=${diffs.length}`);
});
