// Hand-built requests for the bad-input and fuzz suites: presigned URLs at any clock, aws-chunked bodies with
// a chosen flaw, raw bytes on a socket with a deadline (for inputs an HTTP client refuses to send).
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import aws4 from 'aws4';
import { encodeAwsChunked, signingKey, type ChunkedMode } from '../auth/helpers/aws-chunked-encoder.js';
import { referenceChecksum } from '../auth/helpers/body-fixtures.js';
import { errorCode, sign, type RawRequest } from './clients-raw.js';
import { CLIENT_KEY, CLIENT_SECRET } from './world.js';

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** A presigned GET URL's path and query, signed by aws4 at `date`, valid `expires` seconds. */
export function presigned(port: number, path: string, date: Date, expires: number): RawRequest {
  const signed = aws4.sign({ host: `127.0.0.1:${port}`, method: 'GET', path: `${path}?X-Amz-Expires=${expires}&X-Amz-Date=${amzDate(date)}`,
    service: 's3', region: 'cn-bj', signQuery: true }, { accessKeyId: CLIENT_KEY, secretAccessKey: CLIENT_SECRET });
  return { method: 'GET', path: signed.path!, headers: {} };
}

const MODE_HASH: Record<ChunkedMode, string> = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
};

export interface ChunkedFlaw {
  /** x-amz-decoded-content-length to declare (and sign) instead of the payload's length. */
  declaredLength?: number;
  /** Trailing CRC32 of other bytes. */
  wrongCrc?: boolean;
  /** Edits the encoded body (latin1 text) after signing; gets the chunk signatures. */
  edit?: (text: string, signatures: string[]) => string;
}

/** A PUT with an aws-chunked body (64 KiB chunks) carrying one flaw; signed correctly otherwise. */
export async function flawedChunkedPut(port: number, path: string, mode: ChunkedMode, payload: Buffer, flaw: ChunkedFlaw): Promise<RawRequest> {
  const crc = await referenceChecksum('crc32', flaw.wrongCrc ? Buffer.from('other bytes') : payload);
  const trailers: Array<[string, string]> = mode === 'signed' ? [] : [['x-amz-checksum-crc32', crc]];
  const date = new Date();
  const day = amzDate(date).slice(0, 8);
  const signing = { key: signingKey(CLIENT_SECRET, day, 'cn-bj'), amzDate: amzDate(date), scope: `${day}/cn-bj/s3/aws4_request`, seed: '0'.repeat(64) };
  const chunkSize = 64 * 1024;
  const sized = encodeAwsChunked(payload, { mode, chunkSize, signing, trailers }).body;
  const headers: Record<string, string> = {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(flaw.declaredLength ?? payload.length),
  };
  if (trailers.length) headers['x-amz-trailer'] = 'x-amz-checksum-crc32';
  const draft = (length: number) => sign(port, { method: 'PUT', path, headers: { ...headers, 'content-length': String(length) } }, MODE_HASH[mode], { date });
  let req = draft(sized.length);
  signing.seed = /Signature=([0-9a-f]{64})/.exec(req.headers.Authorization!)![1]!;
  const { body, signatures } = encodeAwsChunked(payload, { mode, chunkSize, signing, trailers });
  const text = flaw.edit ? flaw.edit(body.toString('latin1'), signatures) : body.toString('latin1');
  const out = Buffer.from(text, 'latin1');
  if (out.length !== sized.length) {
    // An edit that changes the length needs the headers signed again (the seed changes, the chunk signatures stay wrong).
    req = draft(out.length);
  }
  return { ...req, body: out };
}

export interface RawReply {
  status: number | null;
  code?: string;
  text: string;
}

/**
 * Writes `bytes` on a fresh socket and reads until the server closes or `ms` pass; `halfClose` ends the writing
 * side after the bytes (a client that stops sending but still listens).
 */
export function sendRaw(port: number, bytes: Buffer, ms = 3_000, halfClose = false): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, code: errorCode(text), text });
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (b: Buffer) => {
      chunks.push(b);
      // Done at the end of the first response (a keep-alive connection would otherwise stay open).
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, end).toString('latin1'))?.[1];
      if (end >= 0 && length !== undefined && all.length >= end + 4 + Number(length)) finish();
    });
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(bytes);
    if (halfClose) socket.end();
  });
}

/** The request as bytes on the wire (HTTP/1.1, Host first, the body after a blank line). */
export function wire(port: number, req: RawRequest): Buffer {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, `host: 127.0.0.1:${port}`,
    ...Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'host').map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), req.body ?? Buffer.alloc(0)]);
}
