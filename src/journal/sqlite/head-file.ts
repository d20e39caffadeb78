import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FerryError } from '../../errors/ferry-error.js';
import type { ChainHead } from '../journal-store.js';

/**
 * The chain head kept beside the database (`journal.db-head`): the newest seq and hash known to be on disk. It is
 * written only after a WAL sync, so it never claims more than is durable; a journal that ends before it lost its
 * tail (a deleted or truncated -wal file, a restored old copy), which nothing inside the database could tell.
 */
export function headPath(dbPath: string): string {
  return `${dbPath}-head`;
}

/** The recorded head, or undefined when there is none (a journal older than head files, or never opened). */
export function readHead(dbPath: string): (ChainHead & { at: number }) | undefined {
  const file = headPath(dbPath);
  if (!existsSync(file)) return undefined;
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as ChainHead & { at: number };
    return typeof h.seq === 'number' && typeof h.hash === 'string' ? h : undefined;
  } catch {
    // Cut short by a crash mid-write (it is written without a sync): no claim at all.
    return undefined;
  }
}

/** Replaces the head file (temporary file, then rename: a reader sees the old head or the new one). */
export function writeHead(dbPath: string, head: ChainHead, now = Date.now()): void {
  const tmp = `${headPath(dbPath)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...head, at: now })}\n`, { mode: 0o600 });
  renameSync(tmp, headPath(dbPath));
}

/**
 * Pure: whether a journal whose highest seq ever written is `highest` (with `hashAt(seq)` its stored hashes) can be
 * the one the head file describes; throws JOURNAL_TAMPERED naming what was lost otherwise.
 */
export function checkAgainstHead(dbPath: string, head: ChainHead, highest: number, hashAt: (seq: number) => string | undefined, schema: boolean): void {
  const hint = 'restore the journal from a backup (`ferry journal backup` makes one); to go on with what is left, ' +
    `move ${headPath(dbPath)} aside, knowing the changes after it are gone from the audit trail`;
  if (!schema && head.seq >= 0) {
    throw new FerryError('JOURNAL_TAMPERED', `${dbPath} has lost its schema, but its head file says seq ${head.seq} was written`, hint);
  }
  if (highest < head.seq) {
    throw new FerryError('JOURNAL_TAMPERED',
      `the journal ends at seq ${highest}, but seq ${head.seq} was written and synced: rows ${highest + 1}..${head.seq} are lost (a deleted or truncated -wal file?)`, hint);
  }
  const hash = hashAt(head.seq);
  if (hash !== undefined && hash !== head.hash) {
    throw new FerryError('JOURNAL_TAMPERED', `row ${head.seq} does not have the hash its head file recorded: the journal was replaced or rewritten`, hint);
  }
}
