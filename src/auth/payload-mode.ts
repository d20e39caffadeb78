import { S3Error } from '../errors/s3-error.js';
import {
  STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD,
} from './constants.js';
import type { PayloadMode } from './types.js';

/** Reads x-amz-content-sha256: a constant naming a streaming or unsigned mode, or the body's SHA-256 in hex. */
export function payloadModeFor(value: string): PayloadMode {
  switch (value) {
    case UNSIGNED_PAYLOAD: return { kind: 'unsigned' };
    case STREAMING_SIGNED: return { kind: 'streaming-signed', trailer: false };
    case STREAMING_SIGNED_TRAILER: return { kind: 'streaming-signed', trailer: true };
    case STREAMING_UNSIGNED_TRAILER: return { kind: 'streaming-unsigned-trailer' };
  }
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: 'sha256', expected: value.toLowerCase() };
  // NOTE: SigV4a streaming (STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD) lands here too: Ferry has no SigV4a.
  throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, ' +
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
  { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value.slice(0, 80) });
}
