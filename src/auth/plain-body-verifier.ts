import { createHash, type Hash } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import type { BodyChecksums } from './body-checksums.js';
import { VerifyingTransform } from './verifying-transform.js';

/** Passes a plain (not aws-chunked) body through, checking its x-amz-content-sha256 and x-amz-checksum-* values. */
export class PlainBodyVerifier extends VerifyingTransform {
  private readonly hash: Hash | undefined;

  constructor(private readonly expectedSha256: string | undefined, private readonly checksums: BodyChecksums) {
    super();
    this.hash = expectedSha256 === undefined ? undefined : createHash('sha256');
  }

  protected consume(chunk: Buffer): void {
    this.hash?.update(chunk);
    this.checksums.update(chunk);
    this.release(chunk);
  }

  protected finish(): void {
    if (this.hash) {
      const actual = this.hash.digest('hex');
      if (actual !== this.expectedSha256) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: this.expectedSha256!,
          S3ComputedContentSHA256: actual,
        });
      }
    }
    this.checksums.verify();
  }
}
