// Every way of breaking an aws-chunked body fails with the right S3 error, and the decoder never lets the
// complete payload out (nor, with signatures, any byte of a chunk whose signature failed).
import t from 'tap';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { authFor, chunkedRequest, payloadOf, type Algorithm } from './helpers/body-fixtures.js';
import type { ChunkedMode } from './helpers/aws-chunked-encoder.js';
import { feed } from './helpers/feed.js';

const CHUNK = 16_384;
const payload = payloadOf(3 * CHUNK + 5_000);

type Body = { body: Buffer; signatures: string[]; headers: Record<string, string> };
interface Case {
  name: string;
  mode: ChunkedMode;
  alg?: Algorithm;
  mutate: (b: Body) => Partial<Body> | Buffer;
  code: string | null;
  /** At most this many payload bytes may come out before the failure. */
  maxOutput?: number;
  trailerValue?: string;
  /** Unsigned data streams through before the checksum can fail, so the changed byte may come out. */
  changesData?: boolean;
}

const latin = (b: Buffer) => b.toString('latin1');
const replace = (b: Buffer, from: string, to: string) => {
  if (!latin(b).includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} not in body`);
  return Buffer.from(latin(b).replace(from, to), 'latin1');
};
const flip = (sig: string) => (sig[0] === '0' ? '1' : '0') + sig.slice(1);
/** Offset of the first data byte of chunk n (0-based). */
const dataStart = (body: Buffer, n: number) => {
  let at = 0;
  for (let i = 0; i < n; i++) at = body.indexOf('\r\n', at) + 2 + CHUNK + 2;
  return body.indexOf('\r\n', at) + 2;
};
const flipByte = (body: Buffer, at: number) => {
  const copy = Buffer.from(body);
  copy[at] ^= 0x01;
  return copy;
};

const cases: Case[] = [
  { name: 'second chunk signature corrupted', mode: 'signed', mutate: (b) => replace(b.body, b.signatures[1], flip(b.signatures[1])), code: 'SignatureDoesNotMatch', maxOutput: CHUNK },
  { name: 'first chunk signature corrupted', mode: 'signed', mutate: (b) => replace(b.body, b.signatures[0], flip(b.signatures[0])), code: 'SignatureDoesNotMatch', maxOutput: 0 },
  { name: 'final chunk signature corrupted', mode: 'signed', mutate: (b) => replace(b.body, b.signatures[4], flip(b.signatures[4])), code: 'SignatureDoesNotMatch' },
  { name: 'a data byte of chunk 2 changed', mode: 'signed', mutate: (b) => flipByte(b.body, dataStart(b.body, 1) + 100), code: 'SignatureDoesNotMatch', maxOutput: CHUNK },
  { name: 'a data byte of the last chunk changed', mode: 'signed', mutate: (b) => flipByte(b.body, dataStart(b.body, 3) + 4_999), code: 'SignatureDoesNotMatch', maxOutput: 3 * CHUNK },
  { name: 'chunk signature missing', mode: 'signed', mutate: (b) => replace(b.body, `;chunk-signature=${b.signatures[1]}`, ''), code: 'SignatureDoesNotMatch', maxOutput: CHUNK },
  { name: 'chunk 2 dropped', mode: 'signed', mutate: (b) => Buffer.concat([b.body.subarray(0, dataStart(b.body, 1) - 88), b.body.subarray(dataStart(b.body, 2) - 88)]), code: 'SignatureDoesNotMatch', maxOutput: CHUNK },
  { name: 'size not hexadecimal', mode: 'signed', mutate: (b) => replace(b.body, '4000;', '40zz;'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'size one more than the data', mode: 'signed', mutate: (b) => replace(b.body, '4000;', '4001;'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'size one less than the data', mode: 'signed', mutate: (b) => replace(b.body, '4000;', '3fff;'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'chunk over 16 MiB', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, '4000\r\n', '1000001\r\n'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'CRLF after data is LF', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => { const c = Buffer.from(b.body); c[dataStart(b.body, 0) + CHUNK] = 0x20; return c; }, code: 'InvalidArgument' },
  { name: 'size line ends in LF only', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, '4000\r\n', '4000\n'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'endless size line', mode: 'unsigned-trailer', alg: 'crc32', mutate: () => Buffer.alloc(10_000, '4'), code: 'InvalidArgument', maxOutput: 0 },
  { name: 'truncated in chunk data', mode: 'signed', mutate: (b) => b.body.subarray(0, dataStart(b.body, 2) + 10), code: 'IncompleteBody', maxOutput: 2 * CHUNK },
  { name: 'truncated in chunk data', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => b.body.subarray(0, dataStart(b.body, 2) + 10), code: 'IncompleteBody' },
  { name: 'truncated before the final chunk', mode: 'signed', mutate: (b) => b.body.subarray(0, latin(b.body).lastIndexOf('0;chunk-signature')), code: 'IncompleteBody' },
  { name: 'truncated before the final CRLF', mode: 'signed', mutate: (b) => b.body.subarray(0, b.body.length - 2), code: 'IncompleteBody' },
  { name: 'truncated after the final chunk', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => b.body.subarray(0, latin(b.body).lastIndexOf('0\r\n') + 3), code: 'IncompleteBody' },
  { name: 'truncated inside the trailer', mode: 'unsigned-trailer', alg: 'sha256', mutate: (b) => b.body.subarray(0, b.body.length - 10), code: 'IncompleteBody' },
  { name: 'extra bytes after the end', mode: 'signed', mutate: (b) => Buffer.concat([b.body, Buffer.from('x')]), code: 'InvalidArgument' },
  { name: 'extra bytes after the end', mode: 'unsigned-trailer', alg: 'crc32c', mutate: (b) => Buffer.concat([b.body, Buffer.from('0\r\n\r\n')]), code: 'InvalidArgument' },
  { name: 'a trailer where none is allowed', mode: 'signed', mutate: (b) => Buffer.concat([b.body.subarray(0, b.body.length - 2), Buffer.from('x-amz-checksum-crc32:AAAAAA==\r\n\r\n')]), code: 'MalformedTrailerError' },
  { name: 'decoded length declared one more', mode: 'signed', mutate: (b) => ({ headers: { ...b.headers, 'x-amz-decoded-content-length': String(payload.length + 1) } }), code: 'IncompleteBody' },
  { name: 'decoded length declared one less', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => ({ headers: { ...b.headers, 'x-amz-decoded-content-length': String(payload.length - 1) } }), code: 'IncompleteBody' },
  { name: 'checksum header wrong on a signed stream', mode: 'signed', alg: 'crc32', trailerValue: 'AAAAAA==', mutate: () => ({}), code: 'BadDigest' },
  { name: 'checksum header right on a signed stream', mode: 'signed', alg: 'sha1', mutate: () => ({}), code: null },
  { name: 'trailer checksum changed', mode: 'signed-trailer', alg: 'crc32c', mutate: (b) => replace(b.body, 'x-amz-checksum-crc32c:', 'x-amz-checksum-crc32c:A'), code: 'SignatureDoesNotMatch' },
  { name: 'trailer signed but wrong', mode: 'signed-trailer', alg: 'crc32c', trailerValue: 'AAAAAA==', mutate: () => ({}), code: 'BadDigest' },
  { name: 'trailer signature missing', mode: 'signed-trailer', alg: 'crc32c', mutate: (b) => replace(b.body, `x-amz-trailer-signature:${b.signatures[5]}\r\n`, ''), code: 'SignatureDoesNotMatch' },
  { name: 'trailer signature corrupted', mode: 'signed-trailer', alg: 'sha256', mutate: (b) => replace(b.body, b.signatures[5], flip(b.signatures[5])), code: 'SignatureDoesNotMatch' },
  { name: 'trailer not announced', mode: 'signed-trailer', alg: 'crc32c', mutate: (b) => ({ headers: { ...b.headers, 'x-amz-trailer': 'x-amz-checksum-sha1' } }), code: 'MalformedTrailerError' },
  { name: 'announced trailer not sent', mode: 'signed-trailer', alg: 'crc32c', mutate: (b) => ({ headers: { ...b.headers, 'x-amz-trailer': 'x-amz-checksum-crc32c,x-amz-checksum-sha256' } }), code: 'MalformedTrailerError' },
  ...(['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as Algorithm[]).flatMap((alg): Case[] => [
    { name: `${alg} trailer wrong`, mode: 'unsigned-trailer', alg, trailerValue: alg.startsWith('crc') ? 'AAAAAA==' : 'AAAA', mutate: () => ({}), code: 'BadDigest' },
    { name: `${alg}: a data byte changed`, mode: 'unsigned-trailer', alg, mutate: (b) => flipByte(b.body, dataStart(b.body, 1) + 7), code: 'BadDigest', changesData: true },
  ]),
  { name: 'trailer missing', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => Buffer.concat([b.body.subarray(0, latin(b.body).lastIndexOf('0\r\n') + 3), Buffer.from('\r\n')]), code: 'MalformedTrailerError' },
  { name: 'another trailer than announced', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, 'x-amz-checksum-crc32:', 'x-amz-checksum-crc32c:'), code: 'MalformedTrailerError' },
  { name: 'trailer line without a colon', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, 'x-amz-checksum-crc32:', 'x-amz-checksum-crc32 '), code: 'MalformedTrailerError' },
  { name: 'tolerated: a blank line before the trailer', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, '0\r\nx-amz', '0\r\n\r\nx-amz'), code: null },
  { name: 'tolerated: no blank line after the trailer', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => b.body.subarray(0, b.body.length - 2), code: null },
  { name: 'tolerated: no blank line after a signed trailer', mode: 'signed-trailer', alg: 'sha1', mutate: (b) => b.body.subarray(0, b.body.length - 2), code: null },
  { name: 'upper-case hex sizes', mode: 'unsigned-trailer', alg: 'crc32', mutate: (b) => replace(b.body, '1388\r\n', '01388\r\n'), code: null },
];

for (const c of cases) {
  t.test(`${c.mode}${c.alg ? ` ${c.alg}` : ''}: ${c.name}`, async (t) => {
    const encoded = await chunkedRequest({ mode: c.mode, alg: c.alg, payload, chunkSize: CHUNK }, c.trailerValue);
    const changed = c.mutate(encoded);
    const { body, headers } = Buffer.isBuffer(changed) ? { ...encoded, body: changed } : { ...encoded, ...changed };
    for (const [split, seed] of [['whole', 0], ['random', 1], ['random', 2], ['random', 3]] as const) {
      const { output, error } = await feed(createBodyDecoder(authFor(c.mode), headers)!, body, split, seed);
      const what = `${split} ${seed}`;
      if (c.code === null) {
        t.equal(error, undefined, what);
        t.ok(output.equals(payload), `${what}: payload intact`);
        continue;
      }
      t.equal(error?.code, c.code, `${what}: ${error?.message}`);
      t.ok(output.length < payload.length, `${what}: the complete payload never came out (${output.length})`);
      if (!c.changesData) t.ok(output.equals(payload.subarray(0, output.length)), `${what}: what came out is a prefix of the payload`);
      if (c.maxOutput !== undefined) t.ok(output.length <= c.maxOutput, `${what}: at most ${c.maxOutput} bytes out (${output.length})`);
    }
  });
}

t.test('headers the decoder refuses', async (t) => {
  const base = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' };
  const refuse = (mode: ChunkedMode, headers: Record<string, string>, code: string, name: string) =>
    t.throws(() => createBodyDecoder(authFor(mode), headers), { code }, name);
  refuse('signed', { 'content-encoding': 'aws-chunked' }, 'MissingSecurityHeader', 'no x-amz-decoded-content-length');
  refuse('signed', { ...base, 'x-amz-decoded-content-length': '1e3' }, 'InvalidArgument', 'x-amz-decoded-content-length not a number');
  refuse('unsigned-trailer', { ...base, 'x-amz-trailer': 'x-amz-checksum-md5' }, 'InvalidRequest', 'an unknown trailer');
  refuse('unsigned-trailer', { ...base, 'x-amz-checksum-crc32': 'not base64!' }, 'InvalidRequest', 'a checksum header that is not base64');
  refuse('signed', { ...base, 'x-amz-checksum-sha256': 'AAAAAA==' }, 'InvalidRequest', 'a checksum header of the wrong length');
});
