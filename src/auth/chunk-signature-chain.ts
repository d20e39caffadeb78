import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import { CHUNK_ALGORITHM, EMPTY_SHA256, TRAILER_ALGORITHM } from './constants.js';

/**
 * The signature chain of an aws-chunked body: each chunk's signature covers its data and the previous
 * signature, starting from the request's seed signature, so chunks cannot be altered, dropped, reordered
 * or spliced in from another upload.
 */
export class ChunkSignatureChain {
  private previous: string;

  constructor(
    private readonly signingKey: Buffer,
    private readonly amzDate: string,
    private readonly scope: string,
    seedSignature: string,
  ) {
    this.previous = seedSignature;
  }

  /** Checks one chunk, given the hex SHA-256 of its data. */
  verifyChunk(dataSha256: string, provided: string): void {
    this.verify(`${CHUNK_ALGORITHM}\n${this.amzDate}\n${this.scope}\n${this.previous}\n${EMPTY_SHA256}\n${dataSha256}`, provided);
  }

  /** Checks the trailer chunk, given its canonical form (`name:value\n` per trailing header). */
  verifyTrailer(canonicalTrailers: string, provided: string): void {
    const hash = createHash('sha256').update(canonicalTrailers, 'utf8').digest('hex');
    this.verify(`${TRAILER_ALGORITHM}\n${this.amzDate}\n${this.scope}\n${this.previous}\n${hash}`, provided);
  }

  private verify(stringToSign: string, provided: string): void {
    const expected = createHmac('sha256', this.signingKey).update(stringToSign, 'utf8').digest();
    const given = /^[0-9a-fA-F]{64}$/.test(provided) ? Buffer.from(provided, 'hex') : undefined;
    if (!given || !timingSafeEqual(expected, given)) {
      throw new S3Error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.');
    }
    this.previous = expected.toString('hex');
  }
}
