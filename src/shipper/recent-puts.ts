import { objectState, sameMetadata, type ObjectState } from './object-state.js';

// Held bytes in all, at most: the oldest go first. At 500 changes a second of 4 KiB this is some 16 s of changes.
const DEFAULT_BUDGET_BYTES = 32 * 1024 * 1024;

/** One small PutObject the gateway forwarded and the source acknowledged: the bytes, and the state it made. */
export interface RecentPut {
  /** The journal row of the PUT: the bytes stand for the key only while no newer change of it is queued. */
  seq: number;
  state: ObjectState;
  body: Buffer;
}

/**
 * The bodies of small PUTs that this process's gateway just forwarded, for this process's shipper to copy without
 * reading them back from the source (a GET per change, a quarter of what the source serves for each, where its
 * GET answers do not count tags and the tags are read apart: s3rver's way). Taken once:
 * a copy that has to start again reads the source. Only a state the source's answer vouched for is kept (its
 * ETag, the MD5 of these bytes), and the copy checks it all the same: its bytes must hash to that ETag, and the
 * last look at the source must find the same ETag and metadata, or the key ships again the long way.
 */
export class RecentPuts {
  private readonly puts = new Map<string, RecentPut>();
  private held = 0;
  // What the source stores as Content-Type for a PUT that names none (S3 and s3rver: binary/octet-stream), learned
  // from a last look; null once two looks disagreed (a region that guesses from the key's name): such PUTs are then
  // not kept.
  private defaultType: string | null | undefined;

  constructor(private readonly budget = DEFAULT_BUDGET_BYTES) {}

  /**
   * Keeps the body of an acknowledged PUT of `key`, under the queue's name for it. `sent`: the headers forwarded
   * to the source, whose system metadata and x-amz-meta-* are what the source stores. Not kept: a body over a
   * tenth of the budget, and an ETag that is not an MD5 (multipart, SSE-KMS, SSE-C), whose bytes could not be
   * checked.
   */
  remember(id: string, seq: number, etag: string | undefined, body: Buffer, sent: Record<string, string>): void {
    this.forget(id);
    // The state a HEAD of the object would show, read from what was sent by the rules that read a HEAD's answer.
    const state = { ...objectState({ ...sent, etag }), size: body.length };
    if (etag === undefined || state.md5 === undefined || body.length > this.budget / 10) return;
    const { metadata } = state;
    if (metadata['content-type'] === undefined) {
      if (this.defaultType === null) return;
      if (this.defaultType !== undefined) metadata['content-type'] = this.defaultType;
    }
    this.puts.set(id, { seq, state, body });
    this.held += body.length;
    for (const [old, put] of this.puts) {
      if (this.held <= this.budget) break;
      this.puts.delete(old);
      this.held -= put.body.length;
    }
  }

  /** The body kept for `id`, when it is that of the key's newest change `maxSeq`; removed either way. */
  take(id: string, maxSeq: number): RecentPut | undefined {
    const put = this.forget(id);
    return put && put.seq === maxSeq ? put : undefined;
  }

  /**
   * What a last look that did not find `put`'s state shows: a source that gave a PUT without Content-Type one of
   * its own (same ETag, same metadata but for it). The copy that taught it ships again, the long way.
   */
  learn(put: RecentPut, seen: ObjectState | null | undefined): void {
    const type = seen?.metadata['content-type'];
    if (!seen || seen.etag !== put.state.etag || type === undefined) return;
    if (!sameMetadata({ ...put.state.metadata, 'content-type': type }, seen.metadata)) return;
    const kept = put.state.metadata['content-type'];
    if (kept === undefined) this.defaultType = this.defaultType === undefined || this.defaultType === type ? type : null;
    else if (kept === this.defaultType && type !== kept) this.defaultType = null;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  private forget(id: string): RecentPut | undefined {
    const put = this.puts.get(id);
    if (put) {
      this.puts.delete(id);
      this.held -= put.body.length;
    }
    return put;
  }
}
