import { S3Error } from '../errors/s3-error.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { BodyChecksums } from './body-checksums.js';
import { ChunkSignatureChain } from './chunk-signature-chain.js';
import { headerValue } from './header-value.js';
import { PlainBodyVerifier } from './plain-body-verifier.js';
import type { AuthResult, RequestHeaders } from './types.js';
import type { VerifyingTransform } from './verifying-transform.js';

/** A body decoder: a Transform that also says how many payload bytes it produced. */
export type BodyDecoder = VerifyingTransform;

function decodedLength(headers: RequestHeaders): number {
  const value = headerValue(headers, 'x-amz-decoded-content-length')?.trim();
  if (value === undefined) {
    throw new S3Error('MissingSecurityHeader', 'Your request was missing a required header', {
      MissingHeaderName: 'x-amz-decoded-content-length',
    });
  }
  if (!/^\d{1,15}$/.test(value)) {
    throw new S3Error('InvalidArgument', 'x-amz-decoded-content-length is not a number', { ArgumentName: 'x-amz-decoded-content-length' });
  }
  return Number(value);
}

function declaredTrailers(headers: RequestHeaders): string[] {
  const value = headerValue(headers, 'x-amz-trailer') ?? '';
  return value.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
}

/**
 * Builds the Transform a request body must go through before it is forwarded: it decodes aws-chunked
 * bodies and verifies signatures, x-amz-content-sha256 and x-amz-checksum-* values, failing with the
 * S3Error S3 would answer with, and holding back the end of the body until everything has verified.
 * Returns null when there is nothing to check or decode. Throws an S3Error for invalid body headers.
 */
export function createBodyDecoder(auth: AuthResult, headers: RequestHeaders): BodyDecoder | null {
  const payload = auth.payload;
  switch (payload.kind) {
    case 'unsigned': {
      const checksums = new BodyChecksums(headers, []);
      return checksums.empty ? null : new PlainBodyVerifier(undefined, checksums);
    }
    case 'sha256':
      return new PlainBodyVerifier(payload.expected, new BodyChecksums(headers, []));
    case 'streaming-signed': {
      const declared = payload.trailer ? declaredTrailers(headers) : [];
      return new AwsChunkedDecoder({
        chain: new ChunkSignatureChain(auth.signingKey, auth.amzDate, auth.scope, auth.seedSignature),
        trailers: payload.trailer,
        signedTrailer: payload.trailer,
        declared,
        checksums: new BodyChecksums(headers, declared),
        decodedLength: decodedLength(headers),
      });
    }
    case 'streaming-unsigned-trailer': {
      const declared = declaredTrailers(headers);
      return new AwsChunkedDecoder({
        trailers: true,
        signedTrailer: false,
        declared,
        checksums: new BodyChecksums(headers, declared),
        decodedLength: decodedLength(headers),
      });
    }
  }
}
