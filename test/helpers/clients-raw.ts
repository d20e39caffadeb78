// Hand-built S3 requests for refusal tests: signed with aws4 at any clock and with any credential, bodies
// encoded aws-chunked by the tests' own encoder (test/auth/helpers), sent with undici or a raw socket.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import aws4 from 'aws4';
import { request } from 'undici';
import { encodeAwsChunked, signingKey, type ChunkedMode } from '../auth/helpers/aws-chunked-encoder.js';
import { referenceChecksum } from '../auth/helpers/body-fixtures.js';
import { CLIENT_KEY, CLIENT_SECRET } from './world.js';

export interface Signer {
  accessKeyId?: string;
  secret?: string;
  /** The client's clock. */
  date?: Date;
}

export interface RawRequest {
  method: string;
  /** Path and query as sent on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawAnswer {
  status: number;
  /** The `<Code>` of an S3 error document. */
  code?: string;
  body: string;
}

const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
export const errorCode = (xml: string) => /<Error>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

/** S3's key encoding in a path: every byte but unreserved characters and '/'. */
export const encodeKey = (key: string) =>
  encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%2F/g, '/');

/** Signs a request in the header form; `payloadHash` becomes x-amz-content-sha256. */
export function sign(port: number, req: RawRequest, payloadHash: string, s: Signer = {}): RawRequest {
  const headers: Record<string, string> = { ...req.headers, 'X-Amz-Date': amzDate(s.date ?? new Date()), 'X-Amz-Content-Sha256': payloadHash };
  const signed = aws4.sign({ host: `127.0.0.1:${port}`, method: req.method, path: req.path, headers, service: 's3', region: 'cn-bj' },
    { accessKeyId: s.accessKeyId ?? CLIENT_KEY, secretAccessKey: s.secret ?? CLIENT_SECRET });
  return { ...req, headers: signed.headers as Record<string, string> };
}

/** A PUT of `body` with its SHA-256 signed (or UNSIGNED-PAYLOAD, or the given hash). */
export function plainPut(port: number, path: string, body: Buffer, s: Signer = {}, payloadHash = sha256(body)): RawRequest {
  return sign(port, { method: 'PUT', path, headers: { 'content-length': String(body.length) }, body }, payloadHash, s);
}

const MODE_HASH: Record<ChunkedMode, string> = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
};

export interface ChunkedPut {
  mode: ChunkedMode;
  payload: Buffer;
  chunkSize: number;
  /** Trailing CRC32; `wrong` sends the CRC32 of other bytes. */
  crc32?: 'right' | 'wrong';
  /** Index of a chunk whose signature is altered. */
  corruptChunk?: number;
  /** Sends (and signs a Content-Length for) only this many bytes of the encoded body. */
  truncateTo?: number;
}

/** A PUT with an aws-chunked body, encoded and signed as the SDK would (seed signature from the headers). */
export async function chunkedPut(port: number, path: string, c: ChunkedPut, s: Signer = {}): Promise<RawRequest> {
  const trailers: Array<[string, string]> = c.crc32
    ? [['x-amz-checksum-crc32', await referenceChecksum('crc32', c.crc32 === 'right' ? c.payload : Buffer.from('other'))]]
    : [];
  const date = s.date ?? new Date();
  const scopeDate = amzDate(date).slice(0, 8);
  const signing = { key: signingKey(s.secret ?? CLIENT_SECRET, scopeDate, 'cn-bj'), amzDate: amzDate(date),
    scope: `${scopeDate}/cn-bj/s3/aws4_request`, seed: '0'.repeat(64) };
  // The encoded length does not depend on the seed, so the headers can be signed before the body is.
  const { body: sized } = encodeAwsChunked(c.payload, { mode: c.mode, chunkSize: c.chunkSize, signing, trailers });
  const headers: Record<string, string> = {
    'content-length': String(c.truncateTo ?? sized.length),
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(c.payload.length),
  };
  if (trailers.length) headers['x-amz-trailer'] = 'x-amz-checksum-crc32';
  const req = sign(port, { method: 'PUT', path, headers }, MODE_HASH[c.mode], { ...s, date });
  signing.seed = /Signature=([0-9a-f]{64})/.exec(req.headers.Authorization!)![1]!;
  const { body, signatures } = encodeAwsChunked(c.payload, { mode: c.mode, chunkSize: c.chunkSize, signing, trailers });
  let text = body.toString('latin1');
  if (c.corruptChunk !== undefined) {
    const sig = signatures[c.corruptChunk]!;
    text = text.replace(sig, sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'));
  }
  return { ...req, body: Buffer.from(text, 'latin1').subarray(0, c.truncateTo) };
}

/** Sends a request with undici; reads the whole answer. */
export async function send(port: number, req: RawRequest): Promise<RawAnswer> {
  const res = await request(`http://127.0.0.1:${port}${req.path}`, {
    method: req.method as 'PUT', headers: req.headers, body: req.body,
  });
  const body = await res.body.text();
  return { status: res.statusCode, code: errorCode(body), body };
}

/**
 * Writes the request's head and the first `bytes` of its body on a raw socket, then half-closes it (the
 * client stops sending but still listens), or with `stall`, keeps it open as a client still uploading would.
 * Resolves with what came back: an answer, or null if the connection closed without one.
 */
export function sendPartial(port: number, req: RawRequest, bytes: number, opts: { stall?: boolean } = {}): Promise<RawAnswer | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const answer = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      return m ? { status: Number(m[1]), code: errorCode(text), body: text } : null;
    };
    socket.on('data', (b: Buffer) => {
      chunks.push(b);
      // A stalled client stops at the end of the error document; the server need not close first.
      if (opts.stall && /<\/Error>/.test(Buffer.concat(chunks).toString('utf8'))) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('close', () => resolve(answer()));
    if (opts.stall) setTimeout(() => socket.destroy(), 5000).unref();
    const head = [`${req.method} ${req.path} HTTP/1.1`, `host: 127.0.0.1:${port}`,
      ...Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'host').map(([k, v]) => `${k}: ${v}`)].join('\r\n');
    socket.write(`${head}\r\n\r\n`);
    if (opts.stall) socket.write(req.body!.subarray(0, bytes));
    else socket.end(req.body!.subarray(0, bytes));
  });
}

/**
 * Writes a whole request on a raw socket, as written (headers HTTP client libraries refuse or rewrite, such as
 * an empty Expect, go out untouched) and keeps the socket open until the answer is complete.
 */
export function sendRaw(port: number, req: RawRequest, timeoutMs = 10_000): Promise<RawAnswer | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const finish = () => {
      socket.destroy();
      const text = data.toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve(m ? { status: Number(m[1]), code: errorCode(body), body } : null);
    };
    socket.on('data', (b: Buffer) => {
      data = Buffer.concat([data, b]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const bodyless = req.method === 'HEAD' || /^HTTP\/1\.1 (1\d\d|204|304)/.test(head);
      if (bodyless || (length && data.length >= end + 4 + Number(length[1]))) finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? finish() : reject(err)));
    socket.on('close', finish);
    setTimeout(finish, timeoutMs).unref();
    const head = [`${req.method} ${req.path} HTTP/1.1`, `host: 127.0.0.1:${port}`,
      ...Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'host').map(([k, v]) => `${k}: ${v}`)].join('\r\n');
    socket.write(`${head}\r\n\r\n`);
    if (req.body?.length) socket.write(req.body);
  });
}
