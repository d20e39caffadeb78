/**
 * The journal's schema, as an ordered list of migrations. `meta.schema_version` says how many have run;
 * a newer Ferry applies the rest at open, inside one transaction.
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE changes (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     created_at INTEGER NOT NULL,            -- ms since epoch, when the intent was written
     rule_id TEXT NOT NULL,
     operation TEXT NOT NULL,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     access_key_id TEXT NOT NULL,
     remote_addr TEXT NOT NULL,
     origin TEXT NOT NULL DEFAULT 'client',   -- client | resync
     hash TEXT NOT NULL,                      -- chained over the immutable fields above
     state TEXT NOT NULL,                     -- intent | pending | rejected | shipped | failed | cancelled | unchanged
     request_id TEXT,
     status INTEGER,
     etag TEXT,
     size INTEGER,
     version_id TEXT,
     outcome_at INTEGER,
     shipped_at INTEGER,
     target_etag TEXT,
     last_error TEXT
   );
   CREATE INDEX changes_key ON changes (rule_id, bucket, key, seq);
   CREATE INDEX changes_state ON changes (state, seq);
   CREATE TABLE queue (
     rule_id TEXT NOT NULL,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     max_seq INTEGER NOT NULL,               -- newest change of this key the shipper must cover
     first_at INTEGER NOT NULL,              -- when the oldest unshipped change was acknowledged
     state TEXT NOT NULL DEFAULT 'ready',    -- ready | failed
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     PRIMARY KEY (rule_id, bucket, key)
   ) WITHOUT ROWID;
   CREATE INDEX queue_due ON queue (state, next_attempt_at);
   CREATE TABLE attempts (
     seq INTEGER NOT NULL,                   -- the newest change covered by this attempt
     at INTEGER NOT NULL,
     result TEXT NOT NULL,                   -- shipped | deleted | error
     detail TEXT
   );
   CREATE INDEX attempts_seq ON attempts (seq);
   CREATE TABLE checkpoints (
     seq INTEGER PRIMARY KEY,                -- last pruned seq
     hash TEXT NOT NULL,                     -- its chained hash, so verification resumes after pruning
     at INTEGER NOT NULL
   );`,
  // 2: resumable resync, and an index for status (shipped in the last minute/hour, replication lag).
  `CREATE TABLE resync_progress (
     rule_id TEXT PRIMARY KEY,
     after_key TEXT NOT NULL,                -- the last key walked; a resumed resync lists after it
     started_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     rows_written INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX changes_shipped ON changes (rule_id, shipped_at) WHERE shipped_at IS NOT NULL;`,
  // 3: the shipper's "due" query reads keys in (next_attempt_at, first_at) order straight from the index; with only
  // (state, next_attempt_at) it sorted every ready key on every call (quadratic over a large resync).
  `DROP INDEX queue_due;
   CREATE INDEX queue_due ON queue (state, next_attempt_at, first_at);`,
  // 4: the gateway that wrote each row, and leases on queue entries (a `ferry ship` beside `ferry serve`, or a
  // shipper restarted while an older one finishes, never copy one key at once).
  `ALTER TABLE changes ADD COLUMN writer TEXT;
   ALTER TABLE queue ADD COLUMN lease_owner TEXT;
   ALTER TABLE queue ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;`,
  // 5: figures that do not grow with history. `ferry status` counts failed and unchanged changes of a rule, which the
  // (state, seq) index answered by reading every such row of every rule; with the rule in the index the count reads
  // only the index. Listings since a time find their first seq through created_at instead of scanning back to seq 1.
  `DROP INDEX changes_state;
   CREATE INDEX changes_state ON changes (state, rule_id, seq);
   CREATE INDEX changes_created ON changes (created_at);`,
];
