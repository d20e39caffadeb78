import { S3ResponseError } from '../s3/s3-client.js';
import { transportCode } from '../s3/transport-error.js';

/**
 * What went wrong talking to a region, folded into the few kinds callers act on:
 * - `not-found`: the bucket or key (or upload) is not there;
 * - `precondition-failed`: an If-Match / If-None-Match did not hold;
 * - `unreachable`: no S3 answer came (refused, reset, timed out, out of descriptors): wait for the region;
 * - `s3`: the region answered with an S3 error (its code and status say which): an attempt is used up.
 */
export type RegionErrorKind = 'not-found' | 'precondition-failed' | 'unreachable' | 's3';

export class RegionError extends Error {
  constructor(readonly kind: RegionErrorKind, readonly op: string, message: string,
    readonly status?: number, readonly code?: string) {
    super(`${op}: ${message}`);
    this.name = 'RegionError';
  }
}

/** Pure: the kind of an S3 error answer, from its status and code. */
export function answerKind(status: number, code: string): RegionErrorKind {
  if (status === 404 || code === 'NoSuchKey' || code === 'NoSuchBucket' || code === 'NoSuchUpload') return 'not-found';
  if (status === 412 || code === 'PreconditionFailed') return 'precondition-failed';
  return 's3';
}

/**
 * Folds any error met while talking to a region into a RegionError. Every failure that is not an S3 answer is
 * `unreachable`: connection refused or reset, header and body timeouts, EMFILE, a socket closed mid-answer. Only an
 * answer (an S3 error document or status) says something about the request itself.
 */
export function toRegionError(err: unknown, op: string): RegionError {
  if (err instanceof RegionError) return err;
  if (err instanceof S3ResponseError) return new RegionError(answerKind(err.status, err.code), op, err.message, err.status, err.code);
  const e = err as Error;
  const code = transportCode(err);
  return new RegionError('unreachable', op, `${code ? `${code}: ` : ''}${e?.message ?? String(err)}`);
}

/** True when `err` says the region gave no answer at all (so waiting, not failing, is right). */
export function isUnanswered(err: unknown): boolean {
  if (err instanceof RegionError) return err.kind === 'unreachable';
  if (err instanceof S3ResponseError) return false;
  // Errors from undici and the socket layer carry a code (UND_ERR_*, ECONNRESET, EMFILE, ...) or a transport name.
  const code = transportCode(err) ?? '';
  const name = (err as Error)?.name ?? '';
  return /^(UND_ERR_|E[A-Z0-9]+$)/.test(code) || ['SocketError', 'HeadersTimeoutError', 'BodyTimeoutError',
    'ConnectTimeoutError', 'TimeoutError'].includes(name);
}
