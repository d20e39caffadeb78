// A client that hangs up while the source has not answered yet: the gateway cancels its request to the source (no
// connection left waiting for an answer nobody will read), stays up, and journals a PUT it could not see answered as
// uncertain, which the shipper settles from the source.
import t from 'tap';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { md5, rawConfig, regionClient, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { journalDb } from '../helpers/journal-sql.js';

const RULE = { id: 'gone', source: 'gone', target: { region: 'cn-sh', bucket: 'gone-replica' }, enabled: true };
const KEY = 'a "quoted" & <tagged>\tkey é.txt';

t.test('a client that hangs up cancels the forwarded request', async (t) => {
  const regions = await startRegions({ source: ['gone'], target: ['gone-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const raw = rawConfig(regions, { rules: [RULE] });
  (raw.regions as Record<string, { endpoint: string }>)['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startTestFerry(raw);
  t.teardown(async () => { await ferry.stop(); await proxy.stop(); await regions.stop(); });
  const s3 = sdkClient(ferry.endpoint);
  t.teardown(() => s3.destroy());
  const rows = () => journalDb(ferry.journal).prepare('SELECT state FROM changes WHERE key = ? ORDER BY seq').pluck().all(KEY) as string[];
  const settled = (what: string) => waitFor(() => rows().every((s) => s === 'shipped' || s === 'unchanged'), 20_000, what)
    .catch((e: Error) => { throw new Error(`${e.message}: ${rows().join(', ')}`); });
  await s3.send(new PutObjectCommand({ Bucket: 'gone', Key: KEY, Body: 'first' }));
  // Shipped first: the shipper reads the source through the same proxy, and none of its reads may be held.
  await settled('the first PUT shipped');

  const hangUp = async (send: (signal: AbortSignal) => Promise<unknown>) => {
    const before = proxy.cutShort;
    const abort = new AbortController();
    const sent = send(abort.signal).then(() => 'answered', (e: Error) => e.name);
    await waitFor(() => proxy.injected > 0, 10_000, 'the source held its answer');
    proxy.injected = 0;
    abort.abort();
    t.equal(await sent, 'AbortError', 'the client gave up');
    const t0 = Date.now();
    await waitFor(() => proxy.cutShort > before, 5_000, 'the request to the source cancelled');
    return Date.now() - t0;
  };

  proxy.faults = { stallMs: 30_000, methods: ['GET'] };
  const getMs = await hangUp((abortSignal) => s3.send(new GetObjectCommand({ Bucket: 'gone', Key: KEY }), { abortSignal }));
  t.ok(getMs < 5_000, `a GET's request to the source is cancelled (${getMs} ms after the client left)`);

  proxy.faults = { stallMs: 30_000, methods: ['PUT'] };
  const putMs = await hangUp((abortSignal) => s3.send(new PutObjectCommand({ Bucket: 'gone', Key: KEY, Body: 'second' }), { abortSignal }));
  t.ok(putMs < 5_000, `a PUT's request to the source is cancelled (${putMs} ms after the client left)`);
  proxy.faults = {};

  // The PUT reached the source before the answer was held: its change is settled from the source and shipped.
  await settled('the unanswered PUT settled');
  t.same(rows(), ['shipped', 'shipped'], 'the unanswered PUT is settled as shipped');
  const replica = await storedObject(regionClient(regions.target), 'gone-replica', KEY);
  t.equal(replica?.md5, md5('second'), 'the target holds what the source holds');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'gone', Key: KEY }));
  t.equal(await got.Body!.transformToString(), 'second', 'the gateway still answers');
});
