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
  const checker = new ChainChecker(checkpoints, maxProblems);
  for (const row of rows) checker.add(row);
  return checker.finish(highestSeq);
}

/**
 * checkChain a row at a time, so a store can feed it page by page and never hold the chain in memory: `add` each
 * row in seq order, then `finish`.
 */
export class ChainChecker {
  private readonly problems: ChainProblem[] = [];
  private prev = { seq: 0, hash: GENESIS_HASH };
  private suspect: ChainRow | undefined;
  private verified = 0;
  private count = 0;
  private gaps = 0;

  constructor(private readonly checkpoints: ReadonlyMap<number, string>, private readonly maxProblems = 20) {}

  private report(p: ChainProblem): void {
    if (this.problems.length < this.maxProblems) this.problems.push(p);
  }

  add(row: ChainRow): void {
    this.count++;
    const suspect = this.suspect;
    if (suspect) {
      this.suspect = undefined;
      const links = row.seq === suspect.seq + 1 && chainHash(suspect.hash, row) === row.hash;
      if (links) {
        this.report({ kind: 'altered', seq: suspect.seq, detail: `row ${suspect.seq} was altered: its fields do not give its hash` });
        this.verified++;
        this.prev = row;
        return;
      }
      this.report({ kind: 'inserted', seq: suspect.seq,
        detail: `row ${suspect.seq} was inserted or replaced: it does not link to row ${suspect.seq - 1}, nor row ${row.seq} to it` });
      if (row.seq !== suspect.seq + 1 && !this.checkpoints.has(row.seq - 1)) {
        this.report({ kind: 'missing', seq: suspect.seq + 1, detail: missingRange(suspect.seq + 1, row.seq - 1) });
      }
      this.prev = row;
      return;
    }
    if (row.seq !== this.prev.seq + 1) {
      const cp = this.checkpoints.get(row.seq - 1);
      if (cp !== undefined) {
        this.gaps++;
        this.prev = { seq: row.seq - 1, hash: cp };
      } else {
        this.report({ kind: 'missing', seq: this.prev.seq + 1, detail: missingRange(this.prev.seq + 1, row.seq - 1) });
        this.prev = row;
        return;
      }
    }
    if (chainHash(this.prev.hash, row) === row.hash) {
      this.verified++;
      this.prev = row;
    } else {
      this.suspect = row;
    }
  }

  /** The report once every row was added; `highestSeq` is the largest seq ever written. */
  finish(highestSeq: number): ChainReport {
    const suspect = this.suspect;
    if (suspect) {
      this.report({ kind: 'altered', seq: suspect.seq,
        detail: `row ${suspect.seq} does not match the chain: it was altered, or inserted after row ${suspect.seq - 1}` });
      this.prev = suspect;
      this.suspect = undefined;
    }
    const prev = this.prev;
    if (highestSeq > prev.seq && !this.checkpoints.has(highestSeq)) {
      this.report({ kind: 'missing', seq: prev.seq + 1, detail: `${missingRange(prev.seq + 1, highestSeq)} (deleted at the end)` });
    }
    return { ok: this.problems.length === 0, verified: this.verified, rows: this.count, checkpoints: this.gaps,
      head: { seq: prev.seq, hash: prev.hash }, problems: this.problems };
  }
}

function missingRange(from: number, to: number): string {
  return from === to ? `row ${from} is missing` : `rows ${from}..${to} are missing`;
}
