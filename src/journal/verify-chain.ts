import { GENESIS_HASH, chainHash, type ImmutableFields } from './hash-chain.js';

export interface ChainRow extends ImmutableFields {
  hash: string;
}

/**
 * A break in the chain. `altered`: the row's fields no longer give its hash, but the next row links to that hash.
 * `inserted`: neither the row nor its successor links (a row that was never written by Ferry, or a replaced one).
 * `missing`: sequence numbers with no row and no checkpoint (rows deleted other than by retention).
 */
export interface ChainProblem {
  kind: 'altered' | 'inserted' | 'missing';
  seq: number;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  /** Rows whose hash was recomputed and matched. */
  verified: number;
  rows: number;
  /** Gaps left by retention, each explained by a checkpoint. */
  checkpoints: number;
  head: { seq: number; hash: string };
  problems: ChainProblem[];
}

/**
 * Pure: walks rows in seq order, recomputing each hash from its predecessor's. A gap is fine where retention
 * left a checkpoint (seq and hash of the last pruned row before it); `highestSeq` (the largest seq ever
 * written) exposes rows deleted at the end. After a break it re-anchors on the stored hash to find more.
 */
export function checkChain(rows: Iterable<ChainRow>, checkpoints: ReadonlyMap<number, string>, highestSeq: number,
  maxProblems = 20): ChainReport {
  const problems: ChainProblem[] = [];
  const report = (p: ChainProblem) => { if (problems.length < maxProblems) problems.push(p); };
  let prev = { seq: 0, hash: GENESIS_HASH };
  let suspect: ChainRow | undefined;
  let verified = 0;
  let count = 0;
  let gaps = 0;
  for (const row of rows) {
    count++;
    if (suspect) {
      const links = row.seq === suspect.seq + 1 && chainHash(suspect.hash, row) === row.hash;
      if (links) {
        report({ kind: 'altered', seq: suspect.seq, detail: `row ${suspect.seq} was altered: its fields do not give its hash` });
        verified++;
        prev = row;
        suspect = undefined;
        continue;
      }
      report({ kind: 'inserted', seq: suspect.seq,
        detail: `row ${suspect.seq} was inserted or replaced: it does not link to row ${suspect.seq - 1}, nor row ${row.seq} to it` });
      if (row.seq !== suspect.seq + 1 && !checkpoints.has(row.seq - 1)) {
        report({ kind: 'missing', seq: suspect.seq + 1, detail: missingRange(suspect.seq + 1, row.seq - 1) });
      }
      suspect = undefined;
      prev = row;
      continue;
    }
    if (row.seq !== prev.seq + 1) {
      const cp = checkpoints.get(row.seq - 1);
      if (cp !== undefined) {
        gaps++;
        prev = { seq: row.seq - 1, hash: cp };
      } else {
        report({ kind: 'missing', seq: prev.seq + 1, detail: missingRange(prev.seq + 1, row.seq - 1) });
        prev = row;
        continue;
      }
    }
    if (chainHash(prev.hash, row) === row.hash) {
      verified++;
      prev = row;
    } else {
      suspect = row;
    }
  }
  if (suspect) {
    report({ kind: 'altered', seq: suspect.seq,
      detail: `row ${suspect.seq} does not match the chain: it was altered, or inserted after row ${suspect.seq - 1}` });
    prev = suspect;
  }
  if (highestSeq > prev.seq && !checkpoints.has(highestSeq)) {
    report({ kind: 'missing', seq: prev.seq + 1, detail: `${missingRange(prev.seq + 1, highestSeq)} (deleted at the end)` });
  }
  return { ok: problems.length === 0, verified, rows: count, checkpoints: gaps, head: { seq: prev.seq, hash: prev.hash }, problems };
}

function missingRange(from: number, to: number): string {
  return from === to ? `row ${from} is missing` : `rows ${from}..${to} are missing`;
}
