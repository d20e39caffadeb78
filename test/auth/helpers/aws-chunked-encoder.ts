// An aws-chunked encoder for tests, written from AWS's description and independent of src/auth, so the
// decoder is checked against a second implementation rather than against itself.
import { createHash, createHmac } from 'node:crypto';

export type ChunkedMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

export interface ChunkSigning {
  key: Buffer;
  amzDate: string;
  scope: string;
  seed: string;
}

export interface EncodeOptions {
  mode: ChunkedMode;
  chunkSize: number;
  signing?: ChunkSigning;
  /** Trailing headers, in order, e.g. [['x-amz-checksum-crc32', 'base64']]. */
  trailers?: Array<[string, string]>;
}

const EMPTY = createHash('sha256').digest('hex');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer, s: string) => createHmac('sha256', key).update(s).digest('hex');

export function signingKey(secret: string, date: string, region: string): Buffer {
  const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  return h(h(h(h(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

/** Encodes payload as aws-chunked; also returns each chunk's signature, for tests that tamper with them. */
export function encodeAwsChunked(payload: Buffer, o: EncodeOptions): { body: Buffer; signatures: string[] } {
  const parts: Buffer[] = [];
  const signatures: string[] = [];
  let prev = o.signing?.seed ?? '';
  const sizes: number[] = [];
  for (let at = 0; at < payload.length; at += o.chunkSize) sizes.push(Math.min(o.chunkSize, payload.length - at));
  sizes.push(0);
  let at = 0;
  for (const size of sizes) {
    const data = payload.subarray(at, at + size);
    at += size;
    let line = size.toString(16);
    if (o.mode !== 'unsigned-trailer') {
      const s = o.signing!;
      prev = hmac(s.key, `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${prev}\n${EMPTY}\n${sha256(data)}`);
      signatures.push(prev);
      line += `;chunk-signature=${prev}`;
    }
    parts.push(Buffer.from(`${line}\r\n`), data);
    if (size > 0) parts.push(Buffer.from('\r\n'));
  }
  let tail = '';
  for (const [name, value] of o.trailers ?? []) tail += `${name}:${value}\r\n`;
  if (o.mode === 'signed-trailer') {
    const s = o.signing!;
    const canonical = (o.trailers ?? []).map(([n, v]) => `${n}:${v}\n`).join('');
    const sig = hmac(s.key, `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${prev}\n${sha256(canonical)}`);
    signatures.push(sig);
    tail += `x-amz-trailer-signature:${sig}\r\n`;
  }
  parts.push(Buffer.from(`${tail}\r\n`));
  return { body: Buffer.concat(parts), signatures };
}
