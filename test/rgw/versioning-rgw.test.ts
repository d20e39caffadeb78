// What a real S3 implementation brings into scope, against Ceph RGW regions: versioned buckets (the current state
// replicates; the journal records the version ids the source answered), conditional writes (a 412 is rejected, the
// winner of a race is what reaches the target), and multipart hygiene (listing and abort pass through, an aborted
// upload journals nothing, an upload a killed shipper left in the target is aborted at start).
import t from 'tap';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectVersionsCommand, ListPartsCommand, PutBucketVersioningCommand, PutObjectCommand,
  UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { rgwClient, rgwRawConfig, startRgwRegions } from '../helpers/rgw-regions.js';
import { sdkClient, startTestFerry, waitFor } from '../helpers/world.js';
import { journalDb } from '../helpers/journal-sql.js';

const SOURCE = 'versioned';
const REPLICA = 'versioned-replica';
const RULE = { id: 'ver', source: SOURCE, target: { region: 'cn-sh', bucket: REPLICA }, enabled: true };
// Conditional writes on an unversioned bucket (RGW 16.2 holds If-Match on PUT against a versioned bucket's
// current version differently).
const PLAIN = 'plain';
const PLAIN_RULE = { id: 'plain', source: PLAIN, target: { region: 'cn-sh', bucket: 'plain-replica' }, enabled: true };
const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function body(client: S3Client, Bucket: string, Key: string): Promise<string | null> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket, Key }));
    return await res.Body!.transformToString();
  } catch (err) {
    if (status(err) === 404) return null;
    throw err;
  }
}

t.test('versioning, conditional writes and multipart hygiene against Ceph RGW', async (t) => {
  const rgw = await startRgwRegions({ source: [SOURCE, PLAIN], target: [REPLICA, 'plain-replica'] });
  const src = rgwClient(rgw.source);
  const dst = rgwClient(rgw.target);
  // An upload left in the target bucket, as a shipper killed mid-copy leaves one: aborted when a shipper starts.
  const orphan = await dst.send(new CreateMultipartUploadCommand({ Bucket: REPLICA, Key: 'orphan.bin' }));
  await dst.send(new UploadPartCommand({ Bucket: REPLICA, Key: 'orphan.bin', UploadId: orphan.UploadId, PartNumber: 1, Body: Buffer.alloc(1024) }));
  for (const client of [src, dst]) {
    const Bucket = client === src ? SOURCE : REPLICA;
    await client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  const ferry = await startTestFerry(rgwRawConfig(rgw, { rules: [RULE, PLAIN_RULE], shipper: { pollIntervalMs: 100, backoffBaseMs: 50,
    backoffMaxMs: 1000, abandonedUploadMs: 0 } }));
  const s3 = sdkClient(ferry.endpoint);
  t.teardown(async () => { s3.destroy(); src.destroy(); dst.destroy(); await ferry.stop(); await rgw.stop(); });
  const db = journalDb(ferry.journal);
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  const drained = () => waitFor(() => count('SELECT count(*) AS n FROM queue') === 0
    && count("SELECT count(*) AS n FROM changes WHERE state IN ('intent','pending')") === 0, 90_000, 'the journal to drain');
  const rows = (key: string) => db.prepare('SELECT operation, state, status, version_id FROM changes WHERE key = ? ORDER BY seq').all(key) as
    Array<{ operation: string; state: string; status: number; version_id: string | null }>;

  t.test('an upload a killed shipper left in the target is aborted when the shipper starts', async (t) => {
    await waitFor(async () => ((await dst.send(new ListMultipartUploadsCommand({ Bucket: REPLICA }))).Uploads ?? []).length === 0,
      20_000, 'the orphaned upload to be aborted');
    t.pass('no upload left');
  });

  t.test('versioned source: put, overwrite, delete (marker), delete of a version, suspended', async (t) => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'doc.txt', Body: 'version one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'doc.txt', Body: 'version two' }));
    t.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId, 'the source made two versions');
    await drained();
    t.same(rows('doc.txt').map((r) => r.version_id), [v1.VersionId, v2.VersionId], 'the journal records the version ids the source answered');
    t.equal(await body(dst, REPLICA, 'doc.txt'), 'version two', 'the target holds the current state');
    const head = await s3.send(new HeadObjectCommand({ Bucket: SOURCE, Key: 'doc.txt' }));
    t.equal(head.ReplicationStatus, 'COMPLETED', 'x-amz-replication-status on a versioned bucket');

    const marker = await s3.send(new DeleteObjectCommand({ Bucket: SOURCE, Key: 'doc.txt' }));
    t.equal(marker.DeleteMarker, true, 'a delete makes a delete marker at the source');
    await drained();
    t.equal(await body(dst, REPLICA, 'doc.txt'), null, 'the target has no current object either');
    const versions = await dst.send(new ListObjectVersionsCommand({ Bucket: REPLICA, Prefix: 'doc.txt' }));
    t.ok((versions.DeleteMarkers ?? []).length >= 1, 'a versioned target keeps the replicated versions behind a delete marker');
    t.same(rows('doc.txt').at(-1), { operation: 'DeleteObject', state: 'shipped', status: 204, version_id: marker.VersionId ?? null });

    await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'rolled.txt', Body: 'keep me' }));
    const bad = await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'rolled.txt', Body: 'roll me back' }));
    await drained();
    t.equal(await body(dst, REPLICA, 'rolled.txt'), 'roll me back');
    await s3.send(new DeleteObjectCommand({ Bucket: SOURCE, Key: 'rolled.txt', VersionId: bad.VersionId }));
    await drained();
    t.equal(await body(src, SOURCE, 'rolled.txt'), 'keep me', 'deleting the current version brings the previous one back at the source');
    t.equal(await body(dst, REPLICA, 'rolled.txt'), 'keep me', 'and the target follows the current state');

    await src.send(new PutBucketVersioningCommand({ Bucket: SOURCE, VersioningConfiguration: { Status: 'Suspended' } }));
    await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'suspended.txt', Body: 'while suspended' }));
    await drained();
    t.equal(await body(dst, REPLICA, 'suspended.txt'), 'while suspended', 'a PUT while versioning is suspended replicates');
    await src.send(new PutBucketVersioningCommand({ Bucket: SOURCE, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  t.test('conditional writes: a 412 is rejected, the winner of a race reaches the target', async (t) => {
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'cond.txt', Body: 'original' }));
    const etag = (await src.send(new HeadObjectCommand({ Bucket: PLAIN, Key: 'cond.txt' }))).ETag!;
    // NOTE: RGW 16.2 takes If-Match on PUT with the ETag unquoted only.
    const bare = etag.replace(/"/g, '');
    const refused = await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'cond.txt', Body: 'stale writer', IfMatch: 'ffffffffffffffffffffffffffffffff' }))
      .then(() => 200, status);
    t.equal(refused, 412, 'If-Match on another ETag is refused by the source');
    const accepted = await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'cond.txt', Body: 'fresh writer', IfMatch: bare })).then(() => 200, status);
    t.equal(accepted, 200, 'If-Match on the current ETag goes through');
    await drained();
    t.same(rows('cond.txt').map((r) => [r.state, r.status]), [['shipped', 200], ['rejected', 412], ['shipped', 200]],
      'the refused write is rejected, the others shipped');
    t.equal(await body(dst, 'plain-replica', 'cond.txt'), 'fresh writer', 'the target holds what the source kept');

    const ignored = await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'cond.txt', Body: 'if none match', IfNoneMatch: '*' }))
      .then(() => 200, status);
    t.ok(ignored === 412 || ignored === 200, `If-None-Match: * on an existing key answered ${ignored}`);
    await drained();
    t.equal(rows('cond.txt').at(-1)?.state, ignored === 412 ? 'rejected' : 'shipped', 'journaled as the source answered');
    t.equal(await body(dst, 'plain-replica', 'cond.txt'), await body(src, PLAIN, 'cond.txt'), 'and the target follows the source');

    // Writers racing on one ETag: whatever the source lets through, the journal says so and the target ends as the source.
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'race.txt', Body: 'start' }));
    const start = (await src.send(new HeadObjectCommand({ Bucket: PLAIN, Key: 'race.txt' }))).ETag!.replace(/"/g, '');
    const contenders = Array.from({ length: 4 }, (_, i) => `writer ${i} ${randomBytes(4).toString('hex')}`);
    const results = await Promise.all(contenders.map((Body) =>
      s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'race.txt', Body, IfMatch: start })).then(() => 200, status)));
    // NOTE: RGW 16.2 answers some of the racing writers 500 (a conflict it does not name): an unknown outcome, which
    // the shipper settles from the source's state.
    t.ok(results.every((r) => r === 200 || r === 412 || r === 500), `each writer got 200, 412 or 500 (${results.join(', ')})`);
    t.ok(results.includes(200), 'at least one won');
    await drained();
    const final = await body(src, PLAIN, 'race.txt');
    t.ok(contenders.includes(final ?? ''), 'the source holds one of the writers');
    t.equal(await body(dst, 'plain-replica', 'race.txt'), final, 'the winner is what reaches the target');
    t.equal(rows('race.txt').filter((r) => r.state === 'rejected').length, results.filter((r) => r === 412).length,
      'every 412 is a rejected row');
    t.ok(rows('race.txt').every((r) => ['shipped', 'rejected', 'unchanged'].includes(r.state)), 'every row settled');
  });

  t.test('multipart: listing and abort pass through; an aborted upload journals nothing', async (t) => {
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: SOURCE, Key: 'never.bin' }));
    await s3.send(new UploadPartCommand({ Bucket: SOURCE, Key: 'never.bin', UploadId: up.UploadId, PartNumber: 1, Body: randomBytes(1024) }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: SOURCE, Key: 'never.bin', UploadId: up.UploadId }));
    t.equal(parts.Parts?.length, 1, 'ListParts through Ferry');
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: SOURCE }));
    t.ok((uploads.Uploads ?? []).some((u) => u.UploadId === up.UploadId), 'ListMultipartUploads through Ferry');
    await s3.send(new AbortMultipartUploadCommand({ Bucket: SOURCE, Key: 'never.bin', UploadId: up.UploadId }));
    t.equal(((await src.send(new ListMultipartUploadsCommand({ Bucket: SOURCE }))).Uploads ?? []).length, 0, 'aborted at the source');
    t.same(rows('never.bin'), [], 'nothing journaled as a change');
    t.equal(((await dst.send(new ListMultipartUploadsCommand({ Bucket: REPLICA }))).Uploads ?? []).length, 0, 'no upload left in the target');
  });
});
