import type { Readable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';

/**
 * Reads a small body (an XML document) whole, refusing more than `limit` bytes without reading on. The stream
 * is left as it is on refusal: the caller owns it (a client's request must stay open for the error answer).
 */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new S3Error('MaxMessageLengthExceeded');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
