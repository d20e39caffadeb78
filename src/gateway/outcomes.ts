import type { Dispatcher } from 'undici';
import type { OutcomeInput } from '../journal/journal-store.js';
import { parseDeleteResult, parseErrorXml, parseXml } from '../s3/xml.js';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Operations whose success can only be read from the response body. */
export function needsResponseBody(operation: string, status: number): boolean {
  return status === 200 && (operation === 'DeleteObjects' || operation in RESULT_ELEMENT);
}

// Operations whose 200 answer is a document: the new object's ETag is in it, or an <Error> when the work failed late.
const RESULT_ELEMENT: Record<string, string> = {
  CompleteMultipartUpload: 'CompleteMultipartUploadResult',
  CopyObject: 'CopyObjectResult',
};

/** Pure: an ETag as S3 sends it, quoted (Ceph RGW 16.2 leaves CopyObjectResult's bare); undefined when empty. */
function quotedEtag(etag: unknown): string | undefined {
  const bare = String(etag ?? '').replace(/^"|"$/g, '');
  return bare === '' ? undefined : `"${bare}"`;
}

/** What the source's answer says of each intent: its outcome, or that it cannot tell (the shipper looks). */
export interface Outcomes {
  outcomes: OutcomeInput[];
  /** Intents the answer says nothing definite about: they stay intents, and the shipper settles them. */
  uncertain: number[];
}

/** Pure: the outcome of each key of a DeleteObjects answer (per key: deleted, refused, or not mentioned). */
function deleteOutcomes(seqs: number[], keys: string[], body: Buffer, quiet: boolean, base: Omit<OutcomeInput, 'seq' | 'applied'>): Outcomes {
  let result: ReturnType<typeof parseDeleteResult> | undefined;
  try {
    result = parseDeleteResult(body.toString('utf8'));
  } catch {
    result = undefined;
  }
  const out: Outcomes = { outcomes: [], uncertain: [] };
  seqs.forEach((seq, i) => {
    const key = keys[i]!;
    const error = result?.errors.get(key);
    if (error !== undefined) out.outcomes.push({ seq, ...base, applied: false, error });
    // In quiet mode only failures are listed. Otherwise a key the answer does not name (or an answer that cannot
    // be read) is not taken as refused: the shipper looks at the source, so a delete is never lost to a misread.
    else if (result !== undefined && (quiet || result.deleted.has(key))) out.outcomes.push({ seq, ...base, applied: true });
    else out.uncertain.push(seq);
  });
  return out;
}

/**
 * Pure: the journal outcome of each intent, from the source's answer. CompleteMultipartUpload can answer
 * 200 with an `<Error>` body; DeleteObjects reports per key.
 */
export function collectOutcomes(operation: string, seqs: number[], keys: string[], up: Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'>,
  body: Buffer | undefined, quiet: boolean, size: number | undefined): Outcomes {
  const status = up.statusCode;
  const ok = status >= 200 && status < 300;
  const base = { status, requestId: first(up.headers['x-amz-request-id']), versionId: first(up.headers['x-amz-version-id']) };
  if (operation === 'DeleteObjects' && ok && body) return deleteOutcomes(seqs, keys, body, quiet, base);
  return { outcomes: singleOutcomes(operation, seqs, up, body, size, base), uncertain: [] };
}

/**
 * Pure: whether a status leaves it unknown if the change was made. A 4xx, a 501 (NotImplemented) or a 503
 * (SlowDown, ServiceUnavailable) says the source did not act; any other 5xx does not say (s3rver deletes keys and
 * then fails its clean-up with a 500), so the shipper settles it from the source's state.
 */
export function leavesUncertain(status: number): boolean {
  return status >= 500 && status !== 501 && status !== 503;
}

/** Pure: outcomes of a single-key change (and of CompleteMultipartUpload, whose 200 can carry an `<Error>`). */
function singleOutcomes(operation: string, seqs: number[], up: Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'>,
  body: Buffer | undefined, size: number | undefined, base: Omit<OutcomeInput, 'seq' | 'applied'>): OutcomeInput[] {
  const status = up.statusCode;
  const ok = status >= 200 && status < 300;
  const element = RESULT_ELEMENT[operation];
  if (element && ok && body) {
    const text = body.toString('utf8');
    const err = parseErrorXml(text);
    if (err) return seqs.map((seq) => ({ seq, ...base, applied: false, error: `${err.code}: ${err.message}` }));
    let etag: string | undefined;
    try {
      // NOTE: RGW 16.2 answers CompleteMultipartUpload with an empty <ETag/>: the row then has none, never an empty one.
      etag = quotedEtag((parseXml(text, true) as Record<string, { ETag?: unknown } | undefined>)[element]?.ETag);
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
