import { S3Error } from '../errors/s3-error.js';
import { checksumAlgorithmOf, createChecksum, type Checksum, type ChecksumAlgorithm } from './checksum/create-checksum.js';
import type { RequestHeaders } from './types.js';

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 };

interface Expectation {
  name: string;
  algorithm: ChecksumAlgorithm;
  /** The value from the request header; undefined when it comes in a trailer. */
  headerValue?: string;
}

/**
 * The x-amz-checksum-* values a body must match, from request headers and from trailers that x-amz-trailer
 * announces. Each algorithm is computed once while the body streams, however many places ask for it.
 */
export class BodyChecksums {
  private readonly expectations: Expectation[] = [];
  private readonly running = new Map<ChecksumAlgorithm, Checksum>();
  private readonly checksums: Checksum[] = [];

  constructor(headers: RequestHeaders, trailerNames: readonly string[]) {
    for (const [name, value] of Object.entries(headers)) {
      const algorithm = checksumAlgorithmOf(name);
      if (!algorithm || value === undefined) continue;
      const text = (Array.isArray(value) ? value.join(',') : value).trim();
      if (Buffer.from(text, 'base64').length !== DIGEST_BYTES[algorithm] || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
        throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
      }
      this.expect({ name, algorithm, headerValue: text });
    }
    for (const name of trailerNames) {
      const algorithm = checksumAlgorithmOf(name);
      if (!algorithm) throw new S3Error('InvalidRequest', `The value specified in the x-amz-trailer header is not supported: ${name.slice(0, 64)}`);
      this.expect({ name, algorithm });
    }
  }

  get empty(): boolean {
    return this.expectations.length === 0;
  }

  update(data: Uint8Array): void {
    for (const checksum of this.checksums) checksum.update(data);
  }

  /** Compares every expected value with what the body hashed to; trailers maps lowercase names to values. */
  verify(trailers: ReadonlyMap<string, string> = new Map()): void {
    const digests = new Map<ChecksumAlgorithm, string>();
    for (const e of this.expectations) {
      const expected = e.headerValue ?? trailers.get(e.name);
      if (expected === undefined) {
        throw new S3Error('MalformedTrailerError', `The trailer ${e.name} announced in x-amz-trailer was not sent.`);
      }
      let actual = digests.get(e.algorithm);
      if (actual === undefined) {
        actual = this.running.get(e.algorithm)!.digest();
        digests.set(e.algorithm, actual);
      }
      if (actual !== expected.trim()) {
        throw new S3Error('BadDigest', `The ${e.algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
      }
    }
  }

  private expect(e: Expectation): void {
    this.expectations.push(e);
    if (!this.running.has(e.algorithm)) {
      const checksum = createChecksum(e.algorithm);
      this.running.set(e.algorithm, checksum);
      this.checksums.push(checksum);
    }
  }
}
