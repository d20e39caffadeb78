import type { Logger } from 'pino';
import type { FerryConfig, ClientCredential } from '../config/types.js';
import type { JournalStore } from '../journal/journal-store.js';
import type { RuleSet } from '../rules/rule-set.js';
import type { Upstream } from './upstream.js';

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
}

/** Everything the request handler coordinates; `rules` is replaced on reload. */
export interface GatewayContext {
  config: FerryConfig;
  rules: RuleSet;
  journal: JournalStore;
  upstream: Upstream;
  log: Logger;
  credentials: Map<string, ClientCredential>;
  onRequest?: (r: RequestRecord) => void;
  onJournalAppend?: (seconds: number) => void;
}
