// Bodies that are not aws-chunked: x-amz-content-sha256 and x-amz-checksum-* headers are verified as the
// body streams, and its end is held back until they have.
import t from 'tap';
import { createHash } from 'node:crypto';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { EMPTY_SHA256 } from '../../src/auth/constants.js';
import { ALGORITHMS, authFor, payloadOf, referenceChecksum } from './helpers/body-fixtures.js';
import { feed, pieces } from './helpers/feed.js';

const body = payloadOf(100_003);
const sha256 = createHash('sha256').update(body).digest('hex');

t.test('x-amz-content-sha256', async (t) => {
  for (const split of ['whole', 'bytes', 'random'] as const) {
    const ok = await feed(createBodyDecoder(authFor({ kind: 'sha256', expected: sha256 }), {})!, body, split, 3);
    t.equal(ok.error, undefined, `${split}: matches`);
    t.ok(ok.output.equals(body));
    const bad = await feed(createBodyDecoder(authFor({ kind: 'sha256', expected: EMPTY_SHA256 }), {})!, body, split, 3);
    t.equal(bad.error?.code, 'XAmzContentSHA256Mismatch', `${split}: mismatch`);
    t.ok(bad.output.length < body.length, `${split}: not all of it came out (${bad.output.length})`);
  }
  const empty = await feed(createBodyDecoder(authFor({ kind: 'sha256', expected: EMPTY_SHA256 }), {})!, Buffer.alloc(0), 'whole');
  t.equal(empty.error, undefined, 'an empty body has the empty hash');
  const truncated = await feed(createBodyDecoder(authFor({ kind: 'sha256', expected: sha256 }), {})!, body.subarray(0, -1), 'random');
  t.equal(truncated.error?.code, 'XAmzContentSHA256Mismatch', 'a truncated body does not match');
});

t.test('x-amz-checksum-* headers on unsigned and signed bodies', async (t) => {
  for (const alg of ALGORITHMS) {
    const value = await referenceChecksum(alg, body);
    const header = `x-amz-checksum-${alg}`;
    for (const payload of [{ kind: 'unsigned' } as const, { kind: 'sha256', expected: sha256 } as const]) {
      const ok = await feed(createBodyDecoder(authFor(payload), { [header]: value })!, body, 'random', 9);
      t.equal(ok.error, undefined, `${alg}, ${payload.kind}: matches`);
      t.ok(ok.output.equals(body));
      const changed = Buffer.from(body);
      changed[50_000] ^= 0x80;
      const bad = await feed(createBodyDecoder(authFor(payload), { [header]: value })!, changed, 'random', 9);
      t.equal(bad.error?.code, payload.kind === 'unsigned' ? 'BadDigest' : 'XAmzContentSHA256Mismatch', `${alg}, ${payload.kind}: a changed byte`);
      t.ok(bad.output.length < body.length);
    }
  }
});

t.test('nothing to check', async (t) => {
  t.equal(createBodyDecoder(authFor({ kind: 'unsigned' }), { 'content-type': 'text/plain', 'x-amz-checksum-type': 'FULL_OBJECT' }), null);
});

t.test('the last buffer waits for the end of the body', async (t) => {
  const decoder = createBodyDecoder(authFor({ kind: 'sha256', expected: sha256 }), {})!;
  const out: Buffer[] = [];
  decoder.on('data', (d: Buffer) => out.push(d));
  const parts = pieces(body, 'random', 4);
  for (const p of parts) decoder.write(p);
  await new Promise((r) => setImmediate(r));
  t.equal(Buffer.concat(out).length, body.length - parts[parts.length - 1].length, 'all but the last buffer');
  decoder.end();
  await new Promise((r) => decoder.on('end', r));
  t.ok(Buffer.concat(out).equals(body));
  t.equal(decoder.decodedBytes, body.length);
});
