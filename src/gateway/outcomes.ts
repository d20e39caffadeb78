import type { Dispatcher } from 'undici';
import type { OutcomeInput } from '../journal/journal.js';
import { parseDeleteResult, parseErrorXml, parseXml } from '../s3/xml.js';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Operations whose success can only be read from the response body. */
export function needsResponseBody(operation: string, status: number): boolean {
  return status === 200 && (operation === 'DeleteObjects' || operation === 'CompleteMultipartUpload');
}

/**
 * Pure: the journal outcome of each intent, from the source's answer. CompleteMultipartUpload can answer
 * 200 with an `<Error>` body; DeleteObjects reports per key.
 */
export function collectOutcomes(operation: string, seqs: number[], keys: string[], up: Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'>,
  body: Buffer | undefined, quiet: boolean, size: number | undefined): OutcomeInput[] {
  const status = up.statusCode;
  const ok = status >= 200 && status < 300;
  const base = { status, requestId: first(up.headers['x-amz-request-id']), versionId: first(up.headers['x-amz-version-id']) };
  if (operation === 'DeleteObjects' && ok && body) {
    let result: ReturnType<typeof parseDeleteResult> | undefined;
    try {
      result = parseDeleteResult(body.toString('utf8'));
    } catch {
      result = undefined;
    }
    return seqs.map((seq, i) => {
      const key = keys[i]!;
      // In quiet mode only failures are listed; an unreadable answer counts as applied, since shipping reads state.
      const error = result?.errors.get(key);
      const applied = error === undefined && (quiet || result === undefined || result.deleted.has(key) || result.deleted.size === 0);
      return { seq, ...base, applied, error };
    });
  }
  if (operation === 'CompleteMultipartUpload' && ok && body) {
    const text = body.toString('utf8');
    const err = parseErrorXml(text);
    if (err) return seqs.map((seq) => ({ seq, ...base, applied: false, error: `${err.code}: ${err.message}` }));
    let etag: string | undefined;
    try {
      etag = String((parseXml(text) as { CompleteMultipartUploadResult?: { ETag?: string } }).CompleteMultipartUploadResult?.ETag ?? '') || undefined;
    } catch {
      etag = undefined;
    }
    return seqs.map((seq) => ({ seq, ...base, applied: true, etag }));
  }
  const etag = first(up.headers.etag);
  const withSize = operation === 'PutObject' ? size : undefined;
  return seqs.map((seq) => ({ seq, ...base, applied: ok, etag: ok ? etag : undefined, size: ok ? withSize : undefined,
    error: ok ? undefined : `HTTP ${status}` }));
}
