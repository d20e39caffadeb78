import { hash } from 'node:crypto';

/** The fields of a change that never change after the intent is written. */
export interface ImmutableFields {
  seq: number;
  created_at: number;
  rule_id: string;
  operation: string;
  bucket: string;
  key: string;
  access_key_id: string;
  remote_addr: string;
  origin: string;
  /** The gateway that wrote the row (a fleet shares one journal); older rows have none. */
  writer?: string | null;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Hash of a row chained to its predecessor's hash; any edit, insertion or removal breaks the chain after it. The
 * writer is chained when there is one, so rows written before writers were recorded keep their hashes.
 */
export function chainHash(prev: string, f: ImmutableFields): string {
  const fields = [prev, f.seq, f.created_at, f.rule_id, f.operation, f.bucket, f.key, f.access_key_id, f.remote_addr, f.origin];
  if (f.writer) fields.push(f.writer);
  // One-shot hash: a third of createHash's cost, which counts once per appended row.
  return hash('sha256', JSON.stringify(fields), 'hex');
}
