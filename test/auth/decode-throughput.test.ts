// Decode throughput of the body decoders, measured through a stream pipeline fed 64 KiB buffers as a socket
// would. The floor asserted here is low (CI machines vary); the measured rates are printed as comments.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import t from 'tap';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { authFor, chunkedRequest, payloadOf, type Algorithm } from './helpers/body-fixtures.js';
import type { ChunkedMode } from './helpers/aws-chunked-encoder.js';
import type { AuthResult } from '../../src/auth/types.js';

const MiB = 1024 * 1024;
const payload = payloadOf(32 * MiB);
const ROUNDS = 4;

async function measure(auth: AuthResult, headers: Record<string, string>, body: Buffer): Promise<number> {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    let out = 0;
    const slices = function* () {
      for (let at = 0; at < body.length; at += 64 * 1024) yield body.subarray(at, at + 64 * 1024);
    };
    await pipeline(Readable.from(slices(), { objectMode: false }), createBodyDecoder(auth, headers)!, new Writable({
      write(chunk: Buffer, _e, cb) { out += chunk.length; cb(); },
    }));
    if (out !== payload.length) throw new Error(`decoded ${out} bytes`);
  }
  return (ROUNDS * payload.length) / ((performance.now() - start) / 1000) / 1e9;
}

const cases: Array<[string, ChunkedMode, Algorithm | undefined]> = [
  ['unsigned trailer, crc32', 'unsigned-trailer', 'crc32'],
  ['unsigned trailer, crc32c', 'unsigned-trailer', 'crc32c'],
  ['unsigned trailer, crc64nvme', 'unsigned-trailer', 'crc64nvme'],
  ['unsigned trailer, sha256', 'unsigned-trailer', 'sha256'],
  ['signed chunks', 'signed', undefined],
  ['signed chunks, crc32c trailer', 'signed-trailer', 'crc32c'],
];

t.test('aws-chunked decode throughput', async (t) => {
  for (const [name, mode, alg] of cases) {
    const { headers, body } = await chunkedRequest({ mode, alg, payload, chunkSize: 64 * 1024 });
    const rate = await measure(authFor(mode), headers, body);
    t.comment(`${name}: ${rate.toFixed(2)} GB/s`);
    t.ok(rate > 0.05, `${name} decodes faster than 50 MB/s`);
  }
  const sha = createHash('sha256').update(payload).digest('hex');
  const rate = await measure(authFor({ kind: 'sha256', expected: sha }), {}, payload);
  t.comment(`plain body, x-amz-content-sha256: ${rate.toFixed(2)} GB/s`);
  t.ok(rate > 0.05, 'plain body decodes faster than 50 MB/s');
});
