import t from 'tap';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { chunkedPut, encodeKey, plainPut, send, sendPartial, type RawAnswer, type RawRequest } from '../helpers/clients-raw.js';
import { BUCKET, REPLICA, startClientWorld, type ClientWorld } from '../helpers/clients-world.js';
import { listKeys, storedObject, type StoredObject } from '../helpers/objects.js';
import { md5, regionClient } from '../helpers/world.js';

interface Case {
  name: string;
  build(port: number, path: string, payload: Buffer): Promise<RawRequest> | RawRequest;
  /** Sent on a raw socket that half-closes (or with `stall`, stops sending) after this many body bytes. */
  truncateAt?: number;
  stall?: boolean;
  /** null: the connection closes without an answer. */
  status: number | null;
  code?: string;
  /** Payload size (100 KiB unless said). */
  size?: number;
  /** Why the source may keep the partial write (an assertion shown as TODO rather than hidden). */
  /** Past the verify window: why the source may keep partial bytes (s3rver writes in place). */
  streamedPast?: string;
  /** The key can exist beforehand (false for keys the source could not store either). */
  overwrite?: boolean;
  key?: string;
}

const KiB = 1024;
// Past the gateway's verify window, the source has received part of the body when it is refused. S3 discards
// an upload that does not complete; s3rver writes a PUT in place and keeps the partial bytes.
const IN_PLACE = 's3rver keeps the partial bytes of an aborted PUT (it writes in place; S3 discards them)';
const MINUTE = 60_000;

const cases: Case[] = [
  { name: 'signed with a wrong secret', status: 403, code: 'SignatureDoesNotMatch',
    build: (port, path, body) => plainPut(port, path, body, { secret: 'not-the-secret' }) },
  { name: 'an unknown access key', status: 403, code: 'InvalidAccessKeyId',
    build: (port, path, body) => plainPut(port, path, body, { accessKeyId: 'AKIDNOSUCHKEY' }) },
  { name: 'signed by a clock 20 minutes slow', status: 403, code: 'RequestTimeTooSkewed',
    build: (port, path, body) => plainPut(port, path, body, { date: new Date(Date.now() - 20 * MINUTE) }) },
  { name: 'signed by a clock 20 minutes fast', status: 403, code: 'RequestTimeTooSkewed',
    build: (port, path, body) => plainPut(port, path, body, { date: new Date(Date.now() + 20 * MINUTE) }) },
  { name: 'a body that does not match its x-amz-content-sha256', status: 400, code: 'XAmzContentSHA256Mismatch',
    build: (port, path, body) => plainPut(port, path, body, {}, md5(body).repeat(2)) },
  { name: 'a bad signature on the second chunk', status: 403, code: 'SignatureDoesNotMatch',
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'signed', payload, chunkSize: 64 * KiB, corruptChunk: 1 }) },
  { name: 'a bad signature on the second chunk, the client still sending', status: 403, code: 'SignatureDoesNotMatch',
    size: 2048 * KiB, truncateAt: 300 * KiB, stall: true,
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'signed', payload, chunkSize: 64 * KiB, corruptChunk: 1 }) },
  { name: 'a bad signature on the final (empty) chunk', status: 403, code: 'SignatureDoesNotMatch',
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'signed', payload, chunkSize: 64 * KiB, corruptChunk: 2 }) },
  { name: 'a wrong trailing CRC32 (unsigned payload, trailer)', status: 400, code: 'BadDigest',
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'unsigned-trailer', payload, chunkSize: 64 * KiB, crc32: 'wrong' }) },
  { name: 'a wrong trailing CRC32 (signed payload, signed trailer)', status: 400, code: 'BadDigest',
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'signed-trailer', payload, chunkSize: 64 * KiB, crc32: 'wrong' }) },
  { name: 'an aws-chunked body that ends before its final chunk', status: 400, code: 'IncompleteBody',
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'unsigned-trailer', payload, chunkSize: 64 * KiB, crc32: 'right', truncateTo: 80 * KiB }) },
  { name: 'a signed body cut short on the wire', status: null, truncateAt: 50 * KiB,
    build: (port, path, body) => plainPut(port, path, body) },
  { name: 'an unsigned body cut short on the wire', status: null, truncateAt: 50 * KiB,
    build: (port, path, body) => plainPut(port, path, body, {}, 'UNSIGNED-PAYLOAD') },
  { name: 'a bad signature on chunk 20 of 32 (past the verify window)', status: 403, code: 'SignatureDoesNotMatch', size: 2048 * KiB,
    streamedPast: IN_PLACE,
    build: (port, path, payload) => chunkedPut(port, path, { mode: 'signed', payload, chunkSize: 64 * KiB, corruptChunk: 20 }) },
  { name: 'a 2 MiB body that does not match its x-amz-content-sha256', status: 400, code: 'XAmzContentSHA256Mismatch', size: 2048 * KiB,
    streamedPast: IN_PLACE,
    build: (port, path, body) => plainPut(port, path, body, {}, md5(body).repeat(2)) },
  { name: 'a 2 MiB unsigned body cut short on the wire at 1 MiB', status: null, truncateAt: 1024 * KiB, size: 2048 * KiB,
    streamedPast: IN_PLACE,
    build: (port, path, body) => plainPut(port, path, body, {}, 'UNSIGNED-PAYLOAD') },
  { name: 'a key over 1024 bytes', status: 400, code: 'KeyTooLongError', overwrite: false, key: `refused/${'k'.repeat(1020)}`,
    build: (port, path, body) => plainPut(port, path, body) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the source holds for `key`. NOTE: s3rver cannot HEAD a key longer than a file name (ENAMETOOLONG): listed instead. */
async function atSource(w: ClientWorld, key: string): Promise<Partial<StoredObject> | null> {
  if (Buffer.byteLength(key) <= 200) return w.stored(key);
  return (await listKeys(w.direct, BUCKET, key)).includes(key) ? {} : null;
}

t.test('requests the gateway must refuse: answered, not stored, not journaled, and the gateway carries on', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const target = regionClient(w.regions.target);

  for (const [i, c] of cases.entries()) {
    for (const overwrite of c.overwrite === false ? [false] : [false, true]) {
      t.test(`${c.name} (${overwrite ? 'overwriting an object' : 'new key'})`, async (t) => {
        const key = c.key ?? `refused/${i}-${overwrite ? 'old' : 'new'}.bin`;
        const old = randomBytes(70 * KiB);
        if (overwrite) await w.direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: old }));
        const payload = randomBytes(c.size ?? 100 * KiB);
        const req = await c.build(w.port, `/${BUCKET}/${encodeKey(key)}`, payload);
        const answer: RawAnswer | null = c.truncateAt === undefined ? await send(w.port, req) : await sendPartial(w.port, req, c.truncateAt, { stall: c.stall });

        if (c.status === null) t.equal(answer, null, 'the connection closes without an answer');
        else {
          t.equal(answer?.status, c.status, 'status');
          t.equal(answer?.code, c.code, `code (${answer?.body.slice(0, 300)})`);
        }
        await sleep(300); // the shipper polls every 100 ms: time enough to ship anything that was queued
        const stored = await atSource(w, key);
        if (c.streamedPast) {
          // Past the verify window the body streams: S3 discards an upload whose body never completes, but s3rver
          // writes in place and keeps the partial bytes. What Ferry guarantees is that the refused body was never
          // delivered whole, so it cannot have become the object.
          t.not(stored?.md5, md5(payload), `the refused body never became the object (${c.streamedPast})`);
        } else if (overwrite) {
          t.equal(stored?.md5, md5(old), 'the old bytes are intact at the source');
          t.equal(stored?.size, old.length, 'the old size is intact at the source');
        } else t.equal(stored, null, 'the source holds no object');
        const rows = w.journalRows(key);
        // Refused within the verify window: never journaled. Past it: the intent is recorded as rejected.
        t.same(rows.map((r) => r.state), c.streamedPast ? ['rejected'] : [], 'journal: no pending or shipped row');
        t.equal(await storedObject(target, REPLICA, key), null, 'nothing reached the target');

        const fine = randomBytes(2 * KiB);
        await w.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `after/${i}-${overwrite}`, Body: fine }));
        t.equal((await w.stored(`after/${i}-${overwrite}`))?.md5, md5(fine), 'a normal request still works');
      });
    }
  }
});
