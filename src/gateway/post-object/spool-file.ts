import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Error } from '../../errors/s3-error.js';

/** A form's file on local disk: its length is known, so the source's PutObject gets a Content-Length. */
export interface SpooledFile {
  path: string;
  size: number;
  /** A fresh stream of the bytes, for the upload. */
  open(): Readable;
  /** Deletes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Writes a form's file part to a temporary file (mode 0600, under the system's temporary folder) with
 * backpressure, so memory stays flat whatever its size. Stops with EntityTooLarge as soon as it grows past
 * `maxSize`, without reading the rest. On any failure the file is removed before the promise rejects.
 */
export async function spoolFile(file: Readable, maxSize: number): Promise<SpooledFile> {
  const path = join(tmpdir(), `ferry-post-${randomBytes(12).toString('hex')}`);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxSize) {
        done(new S3Error('EntityTooLarge', undefined, { MaxSizeAllowed: String(maxSize) }));
        return;
      }
      done(null, chunk);
    },
  });
  const remove = () => rm(path, { force: true });
  try {
    await pipeline(file, counter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, size, open: () => createReadStream(path), remove };
}
