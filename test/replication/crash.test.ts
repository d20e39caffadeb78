import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, sdkClient, startRegions, waitFor, md5 } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { openJournalFile } from '../helpers/journal-sql.js';

const RULE = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };

t.test('killed with SIGKILL after forwarding a change and before its outcome: the change still ships', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  t.teardown(async () => { await proxy.stop(); await regions.stop(); });
  const raw = rawConfig(regions, { rules: [RULE] }) as Record<string, any>;
  raw.regions['cn-bj'].endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);

  let ferry = await startFerryProcess(file);
  const s3 = sdkClient(ferry.endpoint);
  // The source applies the PUT but its answer never gets back to Ferry.
  proxy.faults = { swallowResponses: true, methods: ['PUT'] };
  const put = s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'in-flight.jpg', Body: 'made it to the source' })).catch((e: Error) => e);
  const src = regionClient(regions.source);
  await waitFor(async () => (await storedObject(src, 'photos', 'in-flight.jpg')) !== null, 10_000, 'the source to store the object');
  await ferry.kill('SIGKILL');
  t.type(await put, Error, 'the client never got a 2xx');

  const journal = openJournalFile(raw.journal.path);
  const row = journal.prepare("SELECT state FROM changes WHERE key = 'in-flight.jpg'").get() as { state: string };
  journal.close();
  t.equal(row.state, 'intent', 'the intent was durable before forwarding');

  proxy.faults = {};
  ferry = await startFerryProcess(file);
  t.teardown(() => ferry.kill());
  const dst = regionClient(regions.target);
  await waitFor(async () => (await storedObject(dst, 'photos-replica', 'in-flight.jpg')) !== null, 20_000, 'the change to reach the target');
  t.equal((await storedObject(dst, 'photos-replica', 'in-flight.jpg'))?.md5, md5('made it to the source'));
});
