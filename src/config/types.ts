export interface RegionConfig {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The SigV4 region name used when signing for this region; defaults to the region's key. */
  signingRegion: string;
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
  upstream: { timeoutMs: number; connections: number };
  /**
   * The S3 listener's limits: client connections at once, time for a request's headers to arrive, and how long a
   * connection may stay silent (no byte either way) before it is closed.
   */
  gateway: { maxConnections: number; headersTimeoutMs: number; idleTimeoutMs: number };
  log: { level: string };
  /** Where the file was read from, so reloads and `ferry rules` can find it again. */
  file?: string;
}
