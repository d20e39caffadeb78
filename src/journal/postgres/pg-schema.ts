/**
 * The PostgreSQL journal's schema, in its own PostgreSQL schema (`ferry`) so it can share a database with other
 * applications. `meta.schema_version` says how many migrations have run; the first process to start applies the
 * rest under an advisory lock, so a fleet starting together migrates once.
 */
export const PG_SCHEMA = 'ferry';

export const PG_MIGRATIONS: string[] = [
  `CREATE TABLE changes (
     seq BIGINT PRIMARY KEY,                  -- given by the appender under the chain_head lock: no gaps
     created_at BIGINT NOT NULL,
     rule_id TEXT NOT NULL,
     operation TEXT NOT NULL,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     access_key_id TEXT NOT NULL,
     remote_addr TEXT NOT NULL,
     origin TEXT NOT NULL DEFAULT 'client',
     hash TEXT NOT NULL,
     state TEXT NOT NULL,
     request_id TEXT,
     status INTEGER,
     etag TEXT,
     size BIGINT,
     version_id TEXT,
     outcome_at BIGINT,
     shipped_at BIGINT,
     target_etag TEXT,
     last_error TEXT,
     writer TEXT                              -- the gateway that wrote the row (chained)
   );
   CREATE INDEX changes_key ON changes (rule_id, bucket, key, seq);
   CREATE INDEX changes_state ON changes (state, seq);
   CREATE INDEX changes_shipped ON changes (rule_id, shipped_at) WHERE shipped_at IS NOT NULL;
   CREATE TABLE queue (
     rule_id TEXT NOT NULL,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     max_seq BIGINT NOT NULL,
     first_at BIGINT NOT NULL,
     state TEXT NOT NULL DEFAULT 'ready',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL DEFAULT 0,
     last_error TEXT,
     lease_owner TEXT,                        -- the shipper copying the key now
     lease_until BIGINT NOT NULL DEFAULT 0,   -- after this (ms), another shipper may take it over
     PRIMARY KEY (rule_id, bucket, key)
   );
   CREATE INDEX queue_due ON queue (state, next_attempt_at, first_at);
   CREATE TABLE attempts (
     id BIGSERIAL PRIMARY KEY,
     seq BIGINT NOT NULL,
     at BIGINT NOT NULL,
     result TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX attempts_seq ON attempts (seq);
   CREATE TABLE checkpoints (
     seq BIGINT PRIMARY KEY,
     hash TEXT NOT NULL,
     at BIGINT NOT NULL
   );
   -- The newest seq ever written and its hash: its row lock serialises appends across the fleet (one chain), and it
   -- exposes rows deleted at the end.
   CREATE TABLE chain_head (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     seq BIGINT NOT NULL,
     hash TEXT NOT NULL
   );
   INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
   CREATE TABLE resync_progress (
     rule_id TEXT PRIMARY KEY,
     after_key TEXT NOT NULL,
     started_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     rows_written BIGINT NOT NULL DEFAULT 0
   );`,
];
