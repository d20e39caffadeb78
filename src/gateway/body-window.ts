import type { Readable } from 'node:stream';

/**
 * Reads a (verifying) request body up to `limit` bytes before anything of it goes to the source. A body
 * that ends within the limit comes back whole and verified, so a forged, corrupt or truncated one is refused
 * without a byte of it forwarded (a source that is not atomic, such as s3rver, would otherwise keep the
 * partial write). A longer body comes back as its own stream, what was read put back at its head, to stream
 * the rest: memory stays bounded by `limit` whatever the body's size. Rejects with the body's own error.
 */
export function readBodyWindow(body: Readable, limit: number): Promise<Buffer | Readable> {
  // Read with 'readable'/read() rather than an async iterator: no promise per chunk, and a longer body goes back
  // to its own stream (what was read is unshifted), so the rest streams without an extra stage in between.
  return new Promise((resolve, reject) => {
    const held: Buffer[] = [];
    let size = 0;
    const whole = () => (held.length === 1 ? held[0]! : Buffer.concat(held, size));
    const stop = () => {
      body.off('readable', onReadable);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    function onReadable(): void {
      for (let chunk: Buffer | null; size < limit && (chunk = body.read() as Buffer | null) !== null;) {
        held.push(chunk);
        size += chunk.length;
      }
      if (size < limit) return;
      stop();
      body.unshift(whole());
      resolve(body);
    }
    function onEnd(): void {
      stop();
      resolve(whole());
    }
    function onError(err: unknown): void {
      stop();
      reject(err);
    }
    body.on('error', onError);
    body.on('end', onEnd);
    body.on('readable', onReadable);
  });
}
