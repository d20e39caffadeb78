import { Transform, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';

/**
 * Passes bytes through while hashing them (MD5), holding back the latest chunk until the end, where `check`
 * decides: an error there means the receiver never gets the last bytes, so it cannot complete the object.
 */
export class HashHoldBack extends Transform {
  private held: Buffer | null = null;
  private readonly md5 = createHash('md5');
  bytes = 0;

  constructor(private readonly check: (md5hex: string, bytes: number) => Error | null) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.md5.update(chunk);
    this.bytes += chunk.length;
    const prev = this.held;
    this.held = chunk;
    cb(null, prev ?? undefined);
  }

  override _flush(cb: TransformCallback): void {
    const err = this.check(this.md5.digest('hex'), this.bytes);
    if (err) cb(err);
    else cb(null, this.held ?? undefined);
  }
}
