import type { FerryConfig, RuleConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import type { Region } from '../region/region.js';
import { S3Region } from '../region/s3-region.js';
import { listObjects } from './list-objects.js';
import type { DiffEntry } from './sorted-diff.js';
import { diffListings } from './spilled-diff.js';
import { deepen } from './deep-compare.js';
import { ruleOf } from './ops-config.js';
import { visible } from './format.js';

/** A rule and its source and target regions. */
export interface RuleEnds {
  rule: RuleConfig;
  source: Region;
  target: Region;
  close(): Promise<void>;
}

/**
 * Clients for a rule's two regions: few connections, as a walk lists one page at a time per side; a deep walk
 * (`connections`) reads several keys at once.
 */
export function ruleEnds(config: FerryConfig, ruleId: string, opts: { connections?: number } = {}): RuleEnds {
  const rule = ruleOf(config, ruleId);
  const region = (name: string) => {
    const r = config.regions[name];
    if (!r) throw new FerryError('RULE_INVALID', `rule "${rule.id}": region "${name}" is not in "regions"`);
    return new S3Region(name, r, { connections: opts.connections ?? 4, timeoutMs: config.upstream.timeoutMs });
  };
  const source = region(config.source);
  const target = region(rule.target.region);
  return { rule, source, target, close: async () => { await Promise.all([source.close(), target.close()]); } };
}

/** Keys a deep walk compares at once (each takes two HEADs and, where tags are not counted at zero, two tag reads). */
export const DEEP_CONCURRENCY = 8;

/**
 * Both listings of a rule (its prefix only), merged key by key, optionally starting after a key. `deep` also compares
 * the metadata and tags of every key the listings show alike; `early` yields source keys listed after the target's
 * end at once, out of key order (see diffListings).
 */
export function walkRule(ends: RuleEnds, opts: { startAfter?: string; signal?: AbortSignal; deep?: boolean; early?: boolean } = {}): AsyncGenerator<DiffEntry> {
  const o = { prefix: ends.rule.prefix, startAfter: opts.startAfter, signal: opts.signal };
  const merged = diffListings(listObjects(ends.source, ends.rule.source, o), listObjects(ends.target, ends.rule.target.bucket, o),
    undefined, { early: opts.early });
  if (!opts.deep) return merged;
  return deepen(merged, { source: ends.source, sourceBucket: ends.rule.source, target: ends.target, targetBucket: ends.rule.target.bucket },
    { concurrency: DEEP_CONCURRENCY, signal: opts.signal });
}

export interface DriftCounts {
  walked: number;
  same: number;
  missing: number;
  extra: number;
  different: number;
}

/** Counts of a walk that has not started. */
export function emptyCounts(): DriftCounts {
  return { walked: 0, same: 0, missing: 0, extra: 0, different: 0 };
}

/** Adds one merged key to the counts. */
export function countEntry(c: DriftCounts, d: DiffEntry): void {
  c.walked++;
  c[d.kind]++;
}

/** Pure: one line describing a difference, for people. */
export function formatDiff(d: DiffEntry): string {
  switch (d.kind) {
    case 'missing': return `missing    ${visible(d.key)}  (source size ${d.source.size})\n`;
    case 'extra': return `extra      ${visible(d.key)}  (target size ${d.target.size})\n`;
    case 'different': return `different  ${visible(d.key)}  (${visible(d.reason)})\n`;
    default: return `same       ${visible(d.key)}\n`;
  }
}

/** Pure: one difference as a JSON line. */
export function diffJson(d: DiffEntry): string {
  const o: Record<string, unknown> = { kind: d.kind, key: d.key };
  if (d.kind !== 'extra') o.source = { size: d.source.size, etag: d.source.etag };
  if (d.kind !== 'missing') o.target = { size: d.target.size, etag: d.target.etag };
  if (d.kind === 'different') o.reason = d.reason;
  return `${JSON.stringify(o)}\n`;
}
