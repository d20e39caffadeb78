import { Readable } from 'node:stream';

/**
 * Reads a (verifying) request body up to `limit` bytes before anything of it goes to the source. A body
 * that ends within the limit comes back whole and verified, so a forged, corrupt or truncated one is refused
 * without a byte of it forwarded (a source that is not atomic, such as s3rver, would otherwise keep the
 * partial write). A longer body comes back as a stream that replays what was read, then streams the rest:
 * memory stays bounded by `limit` whatever the body's size. Rejects with the body's own error.
 */
export async function readBodyWindow(body: Readable, limit: number): Promise<Buffer | Readable> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const held: Buffer[] = [];
  let size = 0;
  while (size < limit) {
    const next = await it.next();
    if (next.done) return held.length === 1 ? held[0]! : Buffer.concat(held, size);
    held.push(next.value);
    size += next.value.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* held.splice(0);
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return Readable.from(replay(), { objectMode: false });
}
