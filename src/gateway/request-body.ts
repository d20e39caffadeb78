import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBodyDecoder } from '../auth/create-body-decoder.js';
import type { AuthResult } from '../auth/authenticate.js';
import { readBodyWindow } from './body-window.js';

// A body up to this size is verified whole before the source sees any of it.
const VERIFY_WINDOW = 256 * 1024;

/** The client's body as Ferry forwards it: verified (and decoded from aws-chunked) as it streams. */
export interface RequestBody {
  /** Whole when it fitted the verify window, a stream otherwise; null when the request has none. */
  data: Readable | Buffer | null;
  /** The client sent aws-chunked framing, which Ferry forwards decoded. */
  decoded: boolean;
  /** Set when the body failed: refused by its verifier, or cut short by the client. */
  failure: unknown;
}

export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

function isAwsChunked(auth: AuthResult): boolean {
  return auth.payload.kind === 'streaming-signed' || auth.payload.kind === 'streaming-unsigned-trailer';
}

/** Opens the request body behind its verifier and reads up to the verify window; rejects with the body's own error. */
export async function openRequestBody(req: IncomingMessage, auth: AuthResult): Promise<RequestBody> {
  if (!hasBody(req)) return { data: null, decoded: false, failure: undefined };
  const decoder = createBodyDecoder(auth, req.headers);
  const result: RequestBody = { data: null, decoded: decoder !== null && isAwsChunked(auth), failure: undefined };
  const stream: Readable = decoder ? pipeline(req, decoder, () => {}) : req;
  stream.on('error', (e) => { result.failure ??= e; });
  result.data = await readBodyWindow(stream, VERIFY_WINDOW);
  return result;
}
