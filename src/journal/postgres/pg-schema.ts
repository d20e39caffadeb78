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
  // 2: one statement per group commit. The appender chains its rows from the head it expects (the one its last commit
  // left); the function checks that head under the chain_head row lock and writes everything, or writes nothing and
  // answers the real head (another process appended meanwhile), which the appender then locks and chains from.
  `CREATE FUNCTION append_batch(exp_seq BIGINT, exp_hash TEXT, now_ms BIGINT, writer_name TEXT,
     i_seq BIGINT[], i_rule TEXT[], i_op TEXT[], i_bucket TEXT[], i_key TEXT[], i_access TEXT[], i_remote TEXT[],
     i_origin TEXT[], i_hash TEXT[], i_applied BOOLEAN[],
     o_seq BIGINT[], o_applied BOOLEAN[], o_status INTEGER[], o_request TEXT[], o_etag TEXT[], o_size BIGINT[],
     o_version TEXT[], o_error TEXT[])
   RETURNS TABLE (ok BOOLEAN, head_seq BIGINT, head_hash TEXT) LANGUAGE plpgsql AS $$
   DECLARE
     n INTEGER := coalesce(cardinality(i_seq), 0);
     hs BIGINT;
     hh TEXT;
   BEGIN
     IF n > 0 THEN
       SELECT c.seq, c.hash INTO hs, hh FROM chain_head c WHERE c.id = 1 FOR UPDATE;
       IF hs IS DISTINCT FROM exp_seq OR hh IS DISTINCT FROM exp_hash THEN
         RETURN QUERY SELECT false, hs, hh;
         RETURN;
       END IF;
       INSERT INTO changes (seq, created_at, rule_id, operation, bucket, key, access_key_id, remote_addr, origin, hash, state,
           writer, status, outcome_at)
         SELECT t.s, now_ms, t.r, t.o, t.b, t.k, t.a, t.ra, t.og, t.h, CASE WHEN t.ap THEN 'pending' ELSE 'intent' END,
           writer_name, CASE WHEN t.ap THEN 0 END, CASE WHEN t.ap THEN now_ms END
         FROM unnest(i_seq, i_rule, i_op, i_bucket, i_key, i_access, i_remote, i_origin, i_hash, i_applied)
           AS t(s, r, o, b, k, a, ra, og, h, ap);
       UPDATE chain_head SET seq = i_seq[n], hash = i_hash[n] WHERE id = 1;
       hs := i_seq[n];
       hh := i_hash[n];
       -- Changes recorded as applied (resync) join the queue; a key named twice keeps its newest seq.
       INSERT INTO queue (rule_id, bucket, key, max_seq, first_at)
         SELECT DISTINCT ON (t.r, t.b, t.k) t.r, t.b, t.k, t.s, now_ms
         FROM unnest(i_seq, i_rule, i_bucket, i_key, i_applied) AS t(s, r, b, k, ap) WHERE t.ap
         ORDER BY t.r, t.b, t.k, t.s DESC
       ON CONFLICT (rule_id, bucket, key) DO UPDATE SET max_seq = GREATEST(queue.max_seq, excluded.max_seq),
         attempts = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.attempts END,
         next_attempt_at = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.next_attempt_at END,
         state = 'ready';
     END IF;
     IF coalesce(cardinality(o_seq), 0) > 0 THEN
       WITH u AS (
         UPDATE changes c SET state = CASE WHEN x.ap THEN 'pending' ELSE 'rejected' END, status = x.st, request_id = x.rq,
           etag = x.et, size = x.sz, version_id = x.v, outcome_at = now_ms, last_error = x.er
         FROM unnest(o_seq, o_applied, o_status, o_request, o_etag, o_size, o_version, o_error) AS x(s, ap, st, rq, et, sz, v, er)
         WHERE c.seq = x.s RETURNING c.seq, c.rule_id, c.bucket, c.key, x.ap)
       INSERT INTO queue (rule_id, bucket, key, max_seq, first_at)
         SELECT DISTINCT ON (u.rule_id, u.bucket, u.key) u.rule_id, u.bucket, u.key, u.seq, now_ms FROM u WHERE u.ap
         ORDER BY u.rule_id, u.bucket, u.key, u.seq DESC
       ON CONFLICT (rule_id, bucket, key) DO UPDATE SET max_seq = GREATEST(queue.max_seq, excluded.max_seq),
         attempts = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.attempts END,
         next_attempt_at = CASE WHEN queue.state = 'failed' THEN 0 ELSE queue.next_attempt_at END,
         state = 'ready';
     END IF;
     RETURN QUERY SELECT true, hs, hh;
   END $$;`,
  // 3: figures that do not grow with history (as the SQLite journal's migration 5): failed and unchanged counts of a
  // rule from the index alone, listings since a time bounded by created_at.
  `DROP INDEX changes_state;
   CREATE INDEX changes_state ON changes (state, rule_id, seq);
   CREATE INDEX changes_created ON changes (created_at);`,
];
