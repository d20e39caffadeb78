// The bad-input table: each request the gateway must refuse, with the S3 error code and status it must get.
// `body: true` marks body-verification failures: the headers authenticate, the intent is journaled and the
// body starts going to the source (a body over the 256 KiB verification window), then the gateway holds back
// its end and aborts. For those the check is "the old object is intact and the intent is rejected", not
// "nothing forwarded".
import { plainPut, sign, type RawRequest } from './clients-raw.js';
import { CLIENT_KEY } from './world.js';
import { flawedChunkedPut, presigned, sha256, wire } from './faults-requests.js';

export interface BadInput {
  name: string;
  /** null: the connection closes without an answer. */
  status: number | null;
  code?: string;
  body?: boolean;
  /** Send the bytes, then half-close (the client stops sending but still listens). */
  halfClose?: boolean;
  build(port: number): Promise<Buffer> | Buffer;
}

const KiB = 1024;
const MINUTE = 60_000;
export const VICTIM = '/photos/victim.bin';
// Bytes that cannot be mistaken for chunk framing, so tests can edit size lines as text.
export const BIG = Buffer.alloc(600 * KiB, 'a');
const SMALL = Buffer.alloc(64 * KiB, 'b');

const put = (port: number, over: (r: RawRequest) => RawRequest = (r) => r) => wire(port, over(plainPut(port, VICTIM, Buffer.from('new bytes'))));
const authorization = (edit: (a: string) => string) => (r: RawRequest): RawRequest =>
  ({ ...r, headers: { ...r.headers, Authorization: edit(r.headers.Authorization!) } });
const unsigned = (port: number, method: string, path: string, body: Buffer, headers: Record<string, string> = {}) =>
  wire(port, { ...sign(port, { method, path, headers: { 'content-length': String(body.length), ...headers } }, sha256(body)), body });
/** Replaces the `n`th (0-based) occurrence of `find` in `text`. */
const nth = (text: string, find: string, n: number, replace: string) => {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(find, at + 1);
  return text.slice(0, at) + replace + text.slice(at + find.length);
};
const deleteXml = (keys: number) => `<Delete>${Array.from({ length: keys }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('')}</Delete>`;

export const BAD_INPUTS: BadInput[] = [
  { name: 'Authorization without Credential', status: 400, code: 'AuthorizationHeaderMalformed',
    build: (port) => put(port, authorization((a) => a.replace(/Credential=[^,]+, /, ''))) },
  { name: 'Authorization without SignedHeaders', status: 400, code: 'AuthorizationHeaderMalformed',
    build: (port) => put(port, authorization((a) => a.replace(/SignedHeaders=[^,]+, /, ''))) },
  { name: 'Authorization without Signature', status: 400, code: 'AuthorizationHeaderMalformed',
    build: (port) => put(port, authorization((a) => a.replace(/, Signature=[0-9a-f]+/, ''))) },
  { name: 'Credential with a short scope', status: 400, code: 'AuthorizationHeaderMalformed',
    build: (port) => put(port, authorization((a) => a.replace(/\/aws4_request/, ''))) },
  { name: 'Authorization of another scheme', status: 400, code: 'InvalidArgument',
    build: (port) => put(port, authorization(() => 'Bearer abc')) },
  { name: 'no authentication at all', status: 403, code: 'AccessDenied',
    build: (port) => wire(port, { method: 'PUT', path: VICTIM, headers: { 'content-length': '3' }, body: Buffer.from('new') }) },
  { name: 'an unknown access key', status: 403, code: 'InvalidAccessKeyId',
    build: (port) => wire(port, plainPut(port, VICTIM, Buffer.from('new'), { accessKeyId: 'AKIDNOSUCHKEY0000000' })) },
  { name: 'a wrong signature', status: 403, code: 'SignatureDoesNotMatch',
    build: (port) => wire(port, plainPut(port, VICTIM, Buffer.from('new'), { secret: 'not-the-secret-at-all' })) },
  { name: 'a date 20 minutes behind', status: 403, code: 'RequestTimeTooSkewed',
    build: (port) => wire(port, plainPut(port, VICTIM, Buffer.from('new'), { date: new Date(Date.now() - 20 * MINUTE) })) },
  { name: 'an expired presigned URL', status: 403, code: 'AccessDenied',
    build: (port) => wire(port, presigned(port, VICTIM, new Date(Date.now() - 2 * 60 * MINUTE), 3600)) },
  { name: 'a presigned URL with X-Amz-Expires over 7 days', status: 400, code: 'AuthorizationQueryParametersError',
    build: (port) => wire(port, presigned(port, VICTIM, new Date(), 604_801)) },
  { name: 'a presigned URL that also carries an Authorization header', status: 400, code: 'InvalidArgument',
    build: (port) => { const p = presigned(port, VICTIM, new Date(), 60); return wire(port, { ...p, headers: { authorization: plainPut(port, VICTIM, Buffer.from('x')).headers.Authorization! } }); } },
  { name: 'a header section over 16 KiB', status: 400, code: 'RequestHeaderSectionTooLarge',
    build: (port) => put(port, (r) => ({ ...r, headers: { ...r.headers, 'x-amz-meta-big': 'x'.repeat(20 * KiB) } })) },
  { name: 'a key over 1024 bytes', status: 400, code: 'KeyTooLongError',
    build: (port) => wire(port, plainPut(port, `/photos/${'k'.repeat(1025)}`, Buffer.from('new'))) },
  { name: 'a key that is not UTF-8 (%FF%FE)', status: 400, code: 'InvalidURI',
    build: (port) => wire(port, { method: 'PUT', path: '/photos/%FF%FE.bin', headers: { 'content-length': '3', authorization: `AWS4-HMAC-SHA256 Credential=${CLIENT_KEY}/x` }, body: Buffer.from('new') }) },
  { name: 'DeleteObjects with malformed XML', status: 400, code: 'MalformedXML',
    build: (port) => unsigned(port, 'POST', '/photos?delete', Buffer.from('<Delete><Object><Key>victim.bin</Key></Object>')) },
  { name: 'CompleteMultipartUpload with malformed XML', status: 400, code: 'MalformedXML',
    build: (port) => unsigned(port, 'POST', `${VICTIM}?uploadId=abc`, Buffer.from('<CompleteMultipartUpload><Part><PartNumber>1</Part>')) },
  { name: 'DeleteObjects with 1001 keys', status: 400, code: 'MalformedXML',
    build: (port) => unsigned(port, 'POST', '/photos?delete', Buffer.from(deleteXml(1001))) },
  { name: 'aws-chunked: a chunk size that is not hexadecimal (chunk 6)', status: 400, code: 'InvalidArgument', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'unsigned-trailer', BIG, { edit: (s) => nth(s, '10000\r\n', 5, 'zz\r\n') })) },
  { name: 'aws-chunked: a chunk signature that does not match (chunk 6)', status: 403, code: 'SignatureDoesNotMatch', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'signed', BIG,
      { edit: (s, sigs) => s.replace(sigs[5]!, sigs[5]!.slice(0, -1) + (sigs[5]!.endsWith('0') ? '1' : '0')) })) },
  { name: 'aws-chunked: a chunk size that lies (chunk 6 claims 256 bytes more)', status: 400, code: 'InvalidArgument', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'unsigned-trailer', BIG, { edit: (s) => nth(s, '10000\r\n', 5, '10100\r\n') })) },
  { name: 'aws-chunked: the body ends before its final chunk', status: 400, code: 'IncompleteBody', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'unsigned-trailer', BIG, { edit: (s) => s.slice(0, 500 * KiB) })) },
  { name: 'aws-chunked: a wrong trailing CRC32', status: 400, code: 'BadDigest', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'unsigned-trailer', BIG, { wrongCrc: true })) },
  { name: 'aws-chunked: x-amz-decoded-content-length 1000 bytes more than the chunks hold', status: 400, code: 'IncompleteBody', body: true,
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'unsigned-trailer', BIG, { declaredLength: BIG.length + 1000 })) },
  { name: 'a plain body that does not match its x-amz-content-sha256', status: 400, code: 'XAmzContentSHA256Mismatch', body: true,
    build: (port) => wire(port, plainPut(port, VICTIM, BIG, {}, sha256('something else'))) },
  { name: 'a body cut short: the client half-closes after 400 of 600 KiB', status: null, body: true, halfClose: true,
    build: (port) => wire(port, plainPut(port, VICTIM, BIG)).subarray(0, 400 * KiB) },
  { name: 'a small (64 KiB) aws-chunked body with a bad chunk signature: refused before anything is forwarded', status: 403, code: 'SignatureDoesNotMatch',
    build: async (port) => wire(port, await flawedChunkedPut(port, VICTIM, 'signed', SMALL,
      { edit: (s, sigs) => s.replace(sigs[0]!, sigs[0]!.slice(0, -1) + (sigs[0]!.endsWith('0') ? '1' : '0')) })) },
];
