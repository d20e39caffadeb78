import type { Logger } from 'pino';
import type { FerryConfig, ClientCredential } from '../config/types.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Upstream } from './upstream.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { SourceHealth } from './failover/source-health.js';
import type { ChangesInFlight } from './failover/changes-in-flight.js';
import type { RecentPuts } from '../shipper/recent-puts.js';

/** What the gateway observes of each finished request (metrics hook). */
export interface RequestRecord {
  operation: string;
  bucket?: string;
  key?: string;
  status: number;
  code?: string;
  bytesIn: number;
  bytesOut: number;
  ms: number;
  accessKeyId?: string;
  requestId: string;
  /** Set when another bucket than the source's answered: `replica` (source down) or `target` (cut over). */
  servedBy?: 'replica' | 'target';
}

/** Everything the request handler coordinates; `rules` is replaced on reload. */
export interface GatewayContext {
  config: FerryConfig;
  rules: RuleSet;
  journal: JournalStore;
  upstream: Upstream;
  /** Every region's connections, for rules cut over to their target or reading from it. */
  upstreams: UpstreamPool;
  sourceHealth: SourceHealth;
  changesInFlight: ChangesInFlight;
  log: Logger;
  credentials: Map<string, ClientCredential>;
  /** Where small PUTs' bodies are kept for this process's shipper (absent when it runs no shipper). */
  recentPuts?: RecentPuts;
  onRequest?: (r: RequestRecord) => void;
  onJournalAppend?: (seconds: number) => void;
}
