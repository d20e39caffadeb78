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
}

export interface FerryConfig {
  listen: string;
  /** Base hostname for virtual-hosted-style requests (`bucket.HOST`); path style only when absent. */
  virtualHostBase?: string;
  journal: { path: string; retention?: string };
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
  log: { level: string };
  /** Where the file was read from, so reloads and `ferry rules` can find it again. */
  file?: string;
}
