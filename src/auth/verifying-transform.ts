import { Transform, type TransformCallback } from 'node:stream';

/**
 * A Transform that passes a request body on while verifying it, and holds back the most recent output
 * buffer until the whole body has verified: whatever reads the output (an upstream PUT) never sees the
 * complete body of a request that turns out to be forged or corrupt, so it cannot store it. Only one
 * buffer is ever held, so memory stays flat whatever the body's size.
 */
export abstract class VerifyingTransform extends Transform {
  /** Payload bytes produced so far, the held ones included, for the access log. */
  decodedBytes = 0;
  private held: Buffer | undefined;

  /** Reads one buffer of the raw body; throws an S3Error when the body is invalid. */
  protected abstract consume(chunk: Buffer): void;
  /** Runs when the raw body has ended; throws an S3Error unless the body verified completely. */
  protected abstract finish(): void;

  /** Passes payload bytes on: the previously held buffer goes out, this one is held in its place. */
  protected release(data: Buffer): void {
    if (data.length === 0) return;
    this.decodedBytes += data.length;
    if (this.held) this.push(this.held);
    this.held = data;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
    } catch (err) {
      this.held = undefined;
      callback(err as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.finish();
    } catch (err) {
      this.held = undefined;
      callback(err as Error);
      return;
    }
    if (this.held) this.push(this.held);
    this.held = undefined;
    callback();
  }
}
