export interface RegionConfig {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The SigV4 region name used when signing for this region; defaults to the region's key. */
  signingRegion: string;
  /**
   * The service puts x-amz-tagging-count in every GET answer for an object with tags (S3, Ceph RGW, MinIO do, for a
   * credential that may read tags), so the shipper need not read the tags of an object whose GET names none. Unset:
   * learned from the region's answers, which only a tagged object's GET shows, so a backfill of untagged objects reads
   * every object's tags (one request per key more). `false`: always read them.
   */
  countsTags?: boolean;
}

export interface ClientCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** When present, the only buckets this credential may touch. */
  buckets?: string[];
}

export interface RuleConfig {
  id: string;
  source: string;
  target: { region: string; bucket: string };
  enabled: boolean;
  prefix?: string;
  /**
   * `reads`: while the source region gives no answer, GET, HEAD and listings of the bucket are served from the
   * target bucket (keys whose newest change has not shipped answer 503). `off` (the default): they answer 503.
   */
  failover?: 'off' | 'reads';
  /**
   * Which side serves the bucket: `source` (normal), or `target` after `ferry failover` (every request goes to the
   * target bucket, and changes ship back to the source). Written by `ferry failover` and `ferry failback`.
   */
  primary?: 'source' | 'target';
  /** Set while a cutover or failback drains the last changes: changes answer 503, reads are served. */
  writesPaused?: boolean;
  /**
   * The target bucket has a rule of its own shipping back into this one (active-active, one gateway per region):
   * replicas carry a marker so they never ship back, and concurrent changes of one key settle on one winner.
   */
  mirror?: boolean;
}

export interface ShipperConfig {
  enabled: boolean;
  concurrency: number;
  maxAttempts: number;
  multipartThreshold: number;
  partSize: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollIntervalMs: number;
  /** Multipart uploads in a target bucket older than this at start-up were left by a killed shipper: aborted. */
  abandonedUploadMs: number;
  /** How long a key taken by this shipper stays its own (renewed while the copy runs); a dead shipper's expire. */
  leaseMs: number;
}

export interface FerryConfig {
  listen: string;
  /** Base hostname for virtual-hosted-style requests (`bucket.HOST`); path style only when absent. */
  virtualHostBase?: string;
  /** The journal: a SQLite file (`path`) on one machine, or a PostgreSQL database (`url`) a fleet shares. */
  journal: { path?: string; url?: string; retention?: string };
  regions: Record<string, RegionConfig>;
  source: string;
  clients: ClientCredential[];
  /**
   * Requests that carry no signature: `forward` sends them to the source unsigned, so its own ACLs and policies
   * decide (as S3 decides for public buckets); `refuse` answers AccessDenied.
   */
  anonymous: 'forward' | 'refuse';
  rules: RuleConfig[];
  shipper: ShipperConfig;
  admin?: { listen: string; token?: string };
  /**
   * The source region's connections. After `breakerFailures` requests in a row got no answer, the source is taken
   * for down: requests no longer wait on it (reads of `failover: reads` rules go to the target at once) and it is
   * probed every `probeMs` until it answers again.
   */
  upstream: { timeoutMs: number; connections: number; breakerFailures: number; probeMs: number };
  /**
   * The S3 listener's limits: client connections at once, time for a request's headers to arrive, and how long a
   * connection may stay silent (no byte either way) before it is closed.
   */
  gateway: { maxConnections: number; headersTimeoutMs: number; idleTimeoutMs: number };
  log: { level: string };
  /** Where the file was read from, so reloads and `ferry rules` can find it again. */
  file?: string;
}
