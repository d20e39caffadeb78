// Shared setup for body decoder tests: an AuthResult as authenticate would return it, payloads, and the
// SDK's own checksum implementations as the reference for ours.
import { createHash, randomBytes } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import type { AuthResult, PayloadMode } from '../../../src/auth/types.js';
import { encodeAwsChunked, signingKey, type ChunkedMode, type ChunkSigning } from './aws-chunked-encoder.js';

export const ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const signing: ChunkSigning = {
  key: signingKey('ferry/secret+key', '20240305', 'ferry-west-1'),
  amzDate: '20240305T060708Z',
  scope: '20240305/ferry-west-1/s3/aws4_request',
  seed: createHash('sha256').update('seed').digest('hex'),
};

const modes: Record<ChunkedMode, PayloadMode> = {
  signed: { kind: 'streaming-signed', trailer: false },
  'signed-trailer': { kind: 'streaming-signed', trailer: true },
  'unsigned-trailer': { kind: 'streaming-unsigned-trailer' },
};

export function authFor(payload: PayloadMode | ChunkedMode): AuthResult {
  return {
    accessKeyId: 'AKIDFERRYTEST0000001', presigned: false, payload: typeof payload === 'string' ? modes[payload] : payload,
    signingKey: signing.key, scope: signing.scope, amzDate: signing.amzDate, seedSignature: signing.seed, signatureVersion: 4,
  };
}

/** Reference checksum, base64, computed by the AWS SDK (CRCs) or node (SHAs). */
export async function referenceChecksum(alg: Algorithm, data: Buffer): Promise<string> {
  if (alg === 'sha1' || alg === 'sha256') return createHash(alg).update(data).digest('base64');
  const c = alg === 'crc32' ? new Crc32() : alg === 'crc32c' ? new Crc32c() : new Crc64Nvme();
  c.update(data);
  return Buffer.from(await c.digest()).toString('base64');
}

export function payloadOf(size: number, seed = 1): Buffer {
  // Random bytes, so CRLFs and hex digits turn up inside chunk data as they would in real files.
  const out = randomBytes(size);
  out[0] = seed & 0xff;
  return out;
}

export interface ChunkedCase {
  mode: ChunkedMode;
  alg?: Algorithm;
  payload: Buffer;
  chunkSize: number;
}

/** Encodes a case and the headers a client would send with it. */
export async function chunkedRequest(c: ChunkedCase, trailerValue?: string) {
  const trailerName = c.alg && c.mode !== 'signed' ? `x-amz-checksum-${c.alg}` : undefined;
  const value = trailerValue ?? (c.alg ? await referenceChecksum(c.alg, c.payload) : undefined);
  const headers: Record<string, string> = {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(c.payload.length),
  };
  if (trailerName) headers['x-amz-trailer'] = trailerName;
  if (c.alg && c.mode === 'signed') headers[`x-amz-checksum-${c.alg}`] = value!;
  const { body, signatures } = encodeAwsChunked(c.payload, {
    mode: c.mode, chunkSize: c.chunkSize, signing,
    trailers: trailerName ? [[trailerName, value!]] : [],
  });
  return { headers, body, signatures };
}
