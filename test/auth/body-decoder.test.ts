// aws-chunked bodies of every kind, split at arbitrary points, decode to exactly the payload.
import t from 'tap';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { ALGORITHMS, authFor, chunkedRequest, payloadOf, type Algorithm } from './helpers/body-fixtures.js';
import type { ChunkedMode } from './helpers/aws-chunked-encoder.js';
import { feed, pieces, type Split } from './helpers/feed.js';

const modes: ChunkedMode[] = ['signed', 'signed-trailer', 'unsigned-trailer'];

t.test('every mode and checksum decodes, whatever the split', async (t) => {
  for (const mode of modes) {
    for (const alg of [undefined, ...ALGORITHMS] as Array<Algorithm | undefined>) {
      if (mode === 'unsigned-trailer' && alg === undefined) continue;
      const cases: Array<[number, number, Split, number]> = [
        [150_001, 65_536, 'whole', 0], [150_001, 65_536, 'random', 1], [150_001, 65_536, 'random', 2],
        [20_000, 8_192, 'bytes', 0], [0, 65_536, 'random', 3], [65_536, 65_536, 'random', 4], [5, 1, 'bytes', 0],
      ];
      for (const [size, chunkSize, split, seed] of cases) {
        const payload = payloadOf(size, seed);
        const { headers, body } = await chunkedRequest({ mode, alg, payload, chunkSize });
        const decoder = createBodyDecoder(authFor(mode), headers)!;
        const { output, error } = await feed(decoder, body, split, seed);
        const what = `${mode} ${alg ?? 'no checksum'} ${size} bytes in ${chunkSize}-byte chunks, ${split} ${seed}`;
        t.equal(error, undefined, what);
        t.ok(output.equals(payload), `${what}: output is the payload`);
        t.equal(decoder.decodedBytes, size, `${what}: decodedBytes`);
      }
    }
  }
});

t.test('the end of the body is held back until it has verified', async (t) => {
  for (const mode of modes) {
    const payload = payloadOf(100_000);
    const { headers, body } = await chunkedRequest({ mode, alg: 'crc32c', payload, chunkSize: 16_384 });
    const decoder = createBodyDecoder(authFor(mode), headers)!;
    const out: Buffer[] = [];
    decoder.on('data', (d: Buffer) => out.push(d));
    for (const piece of pieces(body, 'random', 5)) decoder.write(piece);
    await new Promise((r) => setImmediate(r));
    const before = Buffer.concat(out).length;
    t.ok(before < payload.length, `${mode}: ${before} of ${payload.length} bytes out before the body ended`);
    t.ok(before >= payload.length - 16_384, `${mode}: but everything up to the last chunk streamed through`);
    decoder.end();
    await new Promise((r) => decoder.on('end', r));
    t.ok(Buffer.concat(out).equals(payload), `${mode}: all of it after`);
  }
});

t.test('signed chunks are released only once their signature has checked', async (t) => {
  const payload = payloadOf(3 * 65_536);
  const { headers, body } = await chunkedRequest({ mode: 'signed', payload, chunkSize: 65_536 });
  const decoder = createBodyDecoder(authFor('signed'), headers)!;
  let out = 0;
  decoder.on('data', (d: Buffer) => { out += d.length; });
  const secondData = body.indexOf('\r\n', body.indexOf('chunk-signature=', 100)) + 2;
  const settle = () => new Promise((r) => setImmediate(r));
  // All of the second chunk but its last byte: its signature cannot have been checked yet.
  decoder.write(body.subarray(0, secondData + 65_535));
  await settle();
  t.ok(out < 65_536, `not even all of the first chunk is out (${out}), its last piece is held`);
  decoder.write(body.subarray(secondData + 65_535, secondData + 65_536 + 2));
  await settle();
  t.ok(out >= 65_536 && out < 2 * 65_536, `the second chunk checked, so the first is out (${out})`);
  decoder.destroy();
});
