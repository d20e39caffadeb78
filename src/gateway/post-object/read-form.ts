import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { S3Error } from '../../errors/s3-error.js';
import type { FormField } from './form-fields.js';

/** S3 allows 20 KB of form before the file: fields, their part headers and the boundaries. */
export const MAX_PRE_DATA = 20 * 1024;

// busboy hands over a text part whole, so this bounds what one part can hold in memory before it is counted.
// NOTE: it is also the largest file a client can send as a plain field (a part named `file` without a filename,
// as a <textarea> sends it), which S3 streams like any file: busboy tells files from fields by the filename.
const TEXT_PART_LIMIT = 1024 * 1024;

/** The file part of a form: the bytes still to come, and its filename parameter if it had one. */
export interface FilePart {
  stream: Readable;
  filename?: string;
}

/** A form read up to the start of its file: the fields before it, and the file still streaming. */
export interface FormHead {
  fields: FormField[];
  /** Undefined when the form ended without a part named `file`. */
  file?: FilePart;
  /** Settles once the rest of the body has been read (S3 ignores anything after the file). */
  rest: Promise<void>;
  /** Stops reading the body, after a refusal: the handler answers and discards the rest. */
  stop(): void;
}

/** An error for a client that went away mid-body: nobody is left to answer. */
export class ClientGone extends Error {}

const malformed = () => new S3Error('MalformedPOSTRequest');
const tooLong = () => new S3Error('MaxPostPreDataLengthExceeded', undefined, { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA) });

/**
 * Bytes of a part's delimiter and headers, as a client writes them: `\r\n--B\r\nContent-Disposition: form-data; name=".."\r\n\r\n`.
 * NOTE: busboy does not report the bytes it parsed, so headers beyond Content-Disposition are not counted.
 */
function partOverhead(boundary: string, name: string, filename: string | undefined): number {
  const disposition = 38 + Buffer.byteLength(name) + (filename === undefined ? 0 : 13 + Buffer.byteLength(filename));
  return boundary.length + 6 + disposition + 4;
}

/**
 * Streams a multipart/form-data body up to its file part, holding at most MAX_PRE_DATA of fields (else
 * MaxPostPreDataLengthExceeded) and never the file. The file is the part named `file` (any case), whether or not
 * it has a filename; another part with a filename is a field, as S3 reads it. Rejects with MalformedPOSTRequest
 * for a body that is not multipart/form-data, and ClientGone when the client leaves.
 */
export function readFormHead(req: IncomingMessage): Promise<FormHead> {
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, preservePath: true, defParamCharset: 'utf8',
      limits: { fieldSize: TEXT_PART_LIMIT, headerPairs: 64 } });
  } catch {
    return Promise.reject(malformed());
  }
  const boundary = /boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(req.headers['content-type'] ?? '');
  const boundaryText = boundary?.[1] ?? boundary?.[2] ?? '';
  const fields: FormField[] = [];
  const pending: Array<Promise<void>> = [];
  let preData = 0;
  let headDone = false;
  let stopped = false;
  let restDone!: () => void;
  let restFailed!: (err: unknown) => void;
  const rest = new Promise<void>((resolve, reject) => { restDone = resolve; restFailed = reject; });
  rest.catch(() => {}); // observed by the handler only once the file has been read
  let fileStream: Readable | undefined;
  const stop = () => {
    stopped = true;
    req.unpipe(bb);
    // busboy destroys an unfinished file part with an error; after a refusal nobody reads it any more (Node 24 emits
    // that error where no listener is left), so it is expected here, not a fault.
    fileStream?.on('error', () => {});
    bb.destroy();
  };

  return new Promise<FormHead>((resolve, reject) => {
    const fail = (err: unknown) => {
      if (stopped) return;
      stop();
      if (headDone) restFailed(err);
      else {
        headDone = true;
        reject(err);
      }
    };
    const count = (bytes: number) => {
      preData += bytes;
      if (preData > MAX_PRE_DATA) fail(tooLong());
      return !stopped;
    };
    const begin = (file: FilePart | undefined) => {
      headDone = true;
      // Parts with filenames are read asynchronously: the head is complete once they are.
      void Promise.all(pending).then(() => { if (!stopped) resolve({ fields, file, rest, stop }); }, fail);
    };

    bb.on('field', (name, value, info) => {
      if (headDone || stopped) return;
      if (name.toLowerCase() === 'file') {
        if (info.valueTruncated) {
          fail(new S3Error('EntityTooLarge', 'A file sent without a filename is limited to 1 MiB; send it with one.',
            { MaxSizeAllowed: String(TEXT_PART_LIMIT) }));
          return;
        }
        if (count(partOverhead(boundaryText, name, undefined))) begin({ stream: Readable.from([Buffer.from(value, 'utf8')]) });
        return;
      }
      if (count(partOverhead(boundaryText, name, undefined) + Buffer.byteLength(value))) fields.push([name, value]);
    });

    bb.on('file', (name, stream, info) => {
      if (headDone || stopped) {
        stream.resume();
        return;
      }
      if (!count(partOverhead(boundaryText, name, info.filename))) return;
      if (name.toLowerCase() === 'file') {
        fileStream = stream;
        begin({ stream, filename: info.filename });
        return;
      }
      const at = fields.push([name, '']) - 1;
      const chunks: Buffer[] = [];
      pending.push(new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => { if (count(chunk.length)) chunks.push(chunk); });
        stream.on('end', () => {
          fields[at] = [name, Buffer.concat(chunks).toString('utf8')];
          done();
        });
        stream.on('error', () => done()); // busboy reports the cause itself
      }));
    });

    bb.on('error', () => fail(req.destroyed && !req.complete ? new ClientGone() : malformed()));
    bb.on('close', () => {
      if (stopped) return;
      if (!headDone) begin(undefined);
      restDone();
    });
    req.on('close', () => {
      if (!req.complete) fail(new ClientGone());
    });
    req.pipe(bb);
  });
}
