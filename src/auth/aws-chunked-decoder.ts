import { createHash, type Hash } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import type { BodyChecksums } from './body-checksums.js';
import type { ChunkSignatureChain } from './chunk-signature-chain.js';
import { EMPTY_SHA256, MAX_CHUNK_SIZE, TRAILER_SIGNATURE } from './constants.js';
import { VerifyingTransform } from './verifying-transform.js';

const CR = 0x0d;
const LF = 0x0a;
// A size line with its signature is ~90 bytes and a trailer line ~100: anything longer is not a client.
const MAX_LINE = 4096;
const MAX_TRAILERS = 16;

export interface AwsChunkedOptions {
  /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER): every chunk must carry a valid signature. */
  chain?: ChunkSignatureChain;
  /** Whether trailing headers may follow the final chunk at all. */
  trailers: boolean;
  /** With a chain and trailers: the trailer chunk must be signed too. */
  signedTrailer: boolean;
  /** Lowercase trailer names announced in x-amz-trailer; no others are accepted. */
  declared: readonly string[];
  checksums: BodyChecksums;
  /** x-amz-decoded-content-length: the payload size the decoded body must come to. */
  decodedLength: number;
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const framing = (why: string) => new S3Error('InvalidArgument', `Invalid chunk framing: ${why}.`);
const malformedTrailer = (why: string) => new S3Error('MalformedTrailerError', `${why}.`);

/**
 * Decodes an aws-chunked body (`hex-size[;chunk-signature=sig]\r\n data \r\n` ... `0…\r\n` trailers `\r\n`)
 * into its payload, verifying chunk signatures, trailer signature, checksums and the decoded length as it
 * goes. Data is sliced out of the incoming buffers without copying; with signatures, a chunk's bytes are
 * held only until that chunk's signature checks, so memory is bounded by the chunk size.
 */
export class AwsChunkedDecoder extends VerifyingTransform {
  private state: State = 'size';
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private crlfSeen = 0;
  private decoded = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private pending: Buffer[] = [];
  private readonly trailerValues = new Map<string, string>();
  private canonicalTrailers = '';
  private trailerSignature: string | undefined;
  private skippedBlank = false;

  constructor(private readonly opts: AwsChunkedOptions) {
    super();
  }

  protected consume(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, chunk.length - pos);
          this.onData(chunk.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'data-end';
            this.crlfSeen = 0;
          }
          break;
        }
        case 'data-end':
          if (chunk[pos] !== (this.crlfSeen === 0 ? CR : LF)) throw framing('chunk data is longer than its size or not followed by CRLF');
          pos++;
          if (++this.crlfSeen === 2) this.endChunk();
          break;
        case 'done':
          throw framing('bytes follow the end of the body');
        default:
          pos = this.readLine(chunk, pos);
      }
    }
  }

  protected finish(): void {
    // Some clients end the body right after their last trailer, without the closing blank line; and a body
    // that ended with a blank line but no announced trailer is complete, only its trailer is missing.
    const sentTrailers = this.trailerValues.size > 0 || this.trailerSignature !== undefined || this.skippedBlank;
    if (this.state === 'trailer' && this.lineLength === 0 && sentTrailers) {
      this.endTrailers();
    }
    if (this.state !== 'done') throw new S3Error('IncompleteBody', 'The request body ended before the final chunk of its aws-chunked encoding.');
    if (this.decoded !== this.opts.decodedLength) {
      throw new S3Error('IncompleteBody', 'The decoded body is not as long as x-amz-decoded-content-length says.');
    }
    this.opts.checksums.verify(this.trailerValues);
  }

  /** Collects one CRLF-terminated line, which may arrive split over any number of buffers. */
  private readLine(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf < 0 ? chunk.length : lf;
    if (this.lineLength + (end - pos) > MAX_LINE) throw framing('line too long');
    // Copied: a line is tiny, and a slice would keep a whole socket buffer alive.
    if (end > pos) this.line.push(Buffer.from(chunk.subarray(pos, end)));
    this.lineLength += end - pos;
    if (lf < 0) return chunk.length;
    const bytes = this.line.length === 1 ? this.line[0] : Buffer.concat(this.line, this.lineLength);
    this.line = [];
    this.lineLength = 0;
    if (bytes.length === 0 || bytes[bytes.length - 1] !== CR) throw framing('line not terminated by CRLF');
    const text = bytes.toString('latin1', 0, bytes.length - 1);
    if (this.state === 'size') this.onSizeLine(text);
    else this.onTrailerLine(text);
    return lf + 1;
  }

  private onSizeLine(line: string): void {
    const semi = line.indexOf(';');
    const sizeText = semi < 0 ? line : line.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw framing('chunk size is not hexadecimal');
    const size = parseInt(sizeText, 16);
    if (size > MAX_CHUNK_SIZE) throw new S3Error('InvalidArgument', 'Chunk size must not exceed 16 MiB.');
    if (this.decoded + size > this.opts.decodedLength) {
      throw new S3Error('IncompleteBody', 'The decoded body is longer than x-amz-decoded-content-length says.');
    }
    if (this.opts.chain) {
      const m = /^chunk-signature=([0-9a-fA-F]{64})$/.exec(semi < 0 ? '' : line.slice(semi + 1));
      if (!m) throw new S3Error('SignatureDoesNotMatch', 'A chunk of a signed aws-chunked body has no chunk-signature.');
      this.chunkSignature = m[1];
      this.chunkHash = size > 0 ? createHash('sha256') : undefined;
    }
    if (size === 0) {
      this.opts.chain?.verifyChunk(EMPTY_SHA256, this.chunkSignature);
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.state = 'data';
  }

  private onData(data: Buffer): void {
    this.decoded += data.length;
    this.opts.checksums.update(data);
    if (this.chunkHash) {
      this.chunkHash.update(data);
      this.pending.push(data);
    } else {
      this.release(data);
    }
  }

  private endChunk(): void {
    if (this.chunkHash) {
      this.opts.chain!.verifyChunk(this.chunkHash.digest('hex'), this.chunkSignature);
      this.chunkHash = undefined;
      for (const data of this.pending) this.release(data);
      this.pending = [];
    }
    this.state = 'size';
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      // Tolerated: a blank line between the final chunk and trailers that were announced.
      const announced = this.opts.declared.length > 0 || this.opts.signedTrailer;
      if (announced && !this.skippedBlank && this.trailerValues.size === 0 && this.trailerSignature === undefined) {
        this.skippedBlank = true;
        return;
      }
      this.endTrailers();
      return;
    }
    if (!this.opts.trailers) throw malformedTrailer('This request does not allow trailing headers');
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformedTrailer('A trailing header is not of the form name:value');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE && this.opts.signedTrailer) {
      if (this.trailerSignature !== undefined) throw malformedTrailer('The trailer signature appears twice');
      this.trailerSignature = value;
      return;
    }
    if (!this.opts.declared.includes(name)) throw malformedTrailer(`The trailer ${name.slice(0, 64)} was not announced in x-amz-trailer`);
    if (this.trailerValues.has(name) || this.trailerValues.size >= MAX_TRAILERS) throw malformedTrailer(`The trailer ${name} appears twice`);
    this.trailerValues.set(name, value);
    this.canonicalTrailers += `${name}:${value}\n`;
  }

  private endTrailers(): void {
    if (this.opts.signedTrailer) {
      if (this.trailerSignature === undefined) {
        throw new S3Error('SignatureDoesNotMatch', 'The trailing headers of a signed aws-chunked body carry no x-amz-trailer-signature.');
      }
      this.opts.chain!.verifyTrailer(this.canonicalTrailers, this.trailerSignature);
    }
    this.state = 'done';
  }
}
