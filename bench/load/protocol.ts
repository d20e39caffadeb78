/** An S3 endpoint and the credential the load generator signs for it with (SigV4, every request). */
export interface Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** Small objects at a fixed concurrency for a bounded time and count. */
export interface OpsJob {
  kind: 'ops';
  target: Endpoint;
  method: 'PUT' | 'GET';
  bucket: string;
  prefix: string;
  /** Keys cycle over prefix0 .. prefix(keys-1). */
  keys: number;
  size: number;
  concurrency: number;
  seconds: number;
  maxOps: number;
}

/** One large object, streamed (PUT from a generated body, GET into nothing). */
export interface TransferJob {
  kind: 'transfer';
  target: Endpoint;
  method: 'PUT' | 'GET';
  bucket: string;
  key: string;
  size: number;
}

export interface PopulateJob {
  kind: 'populate';
  target: Endpoint;
  bucket: string;
  prefix: string;
  count: number;
  size: number;
  concurrency: number;
}

/** Objects PUT through Ferry at a steady rate; each is watched for in the target region until present. */
export interface LagJob {
  kind: 'lag';
  ferry: Endpoint;
  region: Endpoint;
  bucket: string;
  targetBucket: string;
  prefix: string;
  size: number;
  perSecond: number;
  seconds: number;
  pollMs: number;
  /** Give up on an object this long after its acknowledgement. */
  timeoutMs: number;
  /**
   * How presence in the target is seen: `head` polls each object (fine at 10/s); `list` has one watcher list the
   * target from the oldest object not yet seen on, every pollMs (hundreds per second would drown it in HEADs).
   */
  watch?: 'head' | 'list';
}

export interface BucketJob {
  kind: 'createBucket';
  target: Endpoint;
  bucket: string;
}

export interface CountJob {
  kind: 'count';
  target: Endpoint;
  bucket: string;
}

export type Job = OpsJob | TransferJob | PopulateJob | LagJob | BucketJob | CountJob;

export interface OpsResult {
  ops: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  firstError?: string;
}

export interface TransferResult {
  bytes: number;
  seconds: number;
  mbPerSec: number;
  status: number;
}

export interface LagResult {
  sent: number;
  acked: number;
  present: number;
  errors: number;
  lagsMs: number[];
  ackP50: number;
  firstError?: string;
}

export interface PopulateResult {
  count: number;
  seconds: number;
  errors: number;
}

export interface JobResult {
  ops: OpsResult;
  transfer: TransferResult;
  populate: PopulateResult;
  lag: LagResult;
  createBucket: { status: number };
  count: { objects: number };
}
