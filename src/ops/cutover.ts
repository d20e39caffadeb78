import type { FerryConfig, RuleConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import type { JournalStore } from '../journal/journal-store.js';
import { openJournalReadonly, ruleOf } from './ops-config.js';
import { countEntry, emptyCounts, ruleEnds, walkRule, type RuleEnds } from './rule-walk.js';

/** Writes one rule's new state into the configuration file and has running Ferries reload it. */
export type ApplyRule = (ruleId: string, change: Partial<RuleConfig>, what: string) => Promise<void>;

export interface CutoverOptions {
  ruleId: string;
  /** Go ahead although changes have not shipped or the two sides differ (they are lost on the other side). */
  force: boolean;
  /** How long to wait for the shipper to ship the last changes. */
  timeoutMs: number;
  apply: ApplyRule;
  say(line: string): void;
}

/** What a cutover did, for the operator (and the tests' figures). */
export interface CutoverReport {
  rule: string;
  primary: 'source' | 'target';
  /** Changes that were waiting to ship when the command began. */
  drained: number;
  /** Keys compared between the two sides before traffic moved (0 when the old side could not be listed). */
  verified: number;
  /** How long changes were paused (answered 503). */
  pausedMs: number;
  totalMs: number;
}

// After a reload asked by signal (no admin listener answered), the time a Ferry takes to apply it.
const SIGNAL_SETTLE_MS = 1_500;
const POLL_MS = 200;

async function reachable(ends: RuleEnds, side: 'source' | 'target'): Promise<boolean> {
  return ends[side].ping(AbortSignal.timeout(3_000)).then(() => true, () => false);
}

/** Unshipped changes of the rule: waiting (intent or pending) and failed. */
async function unshipped(journal: JournalStore, ruleId: string): Promise<{ waiting: number; failed: number }> {
  const f = (await journal.ruleFigures([ruleId], Date.now(), 60_000, 1)).get(ruleId)!;
  return { waiting: f.pending.operations, failed: f.failed };
}

/** Waits until the rule has nothing waiting to ship; returns what was left when time ran out (0: drained). */
async function drain(journal: JournalStore, ruleId: string, timeoutMs: number): Promise<{ waiting: number; failed: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await unshipped(journal, ruleId);
    if (left.waiting === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Keys that differ between the rule's two buckets (missing, extra or different), and how many were compared. */
async function drift(ends: RuleEnds): Promise<{ walked: number; differing: number }> {
  const counts = emptyCounts();
  for await (const d of walkRule(ends)) countEntry(counts, d);
  return { walked: counts.walked, differing: counts.missing + counts.extra + counts.different };
}

function refuse(code: 'CUTOVER_UNSHIPPED' | 'CUTOVER_DRIFT' | 'CUTOVER_STATE', message: string, hint: string): never {
  throw new FerryError(code, message, hint);
}

/**
 * Moves a rule's traffic to the other side with nothing lost: changes are paused (503) while the last ones ship
 * and the two sides are compared, then every request goes to the new side. Refused (and the pause lifted) when a
 * change has not shipped or the sides differ, unless `force`. With the old side unreachable (failover in a
 * disaster) nothing can be paused or compared: refused while changes wait to ship, unless `force`.
 */
async function cutover(config: FerryConfig, o: CutoverOptions, to: 'source' | 'target'): Promise<CutoverReport> {
  const started = Date.now();
  const rule = ruleOf(config, o.ruleId);
  const from = to === 'target' ? 'source' : 'target';
  const verb = to === 'target' ? 'failover' : 'failback';
  if ((rule.primary ?? 'source') === to) {
    refuse('CUTOVER_STATE', `rule "${rule.id}" is already served by its ${to}`, to === 'target'
      ? 'return it with `ferry failback`' : 'move it with `ferry failover`');
  }
  const ends = ruleEnds(config, rule.id);
  const journal = await openJournalReadonly(config);
  const settle = () => new Promise((r) => setTimeout(r, config.admin ? 0 : SIGNAL_SETTLE_MS));
  let paused = 0;
  try {
    if (!await reachable(ends, to)) {
      throw new FerryError('REGION_UNREACHABLE', `the ${to} region of rule "${rule.id}" does not answer: traffic cannot move to it`);
    }
    const before = await unshipped(journal, rule.id);
    if (!await reachable(ends, from)) {
      // A disaster: the side being left is gone, so its last changes can neither ship nor be compared.
      if (to === 'source') refuse('CUTOVER_STATE', 'the source region does not answer', 'fail back once it answers again');
      const waiting = before.waiting + before.failed;
      if (waiting > 0 && !o.force) {
        refuse('CUTOVER_UNSHIPPED', `the source region does not answer and ${waiting} change(s) of rule "${rule.id}" have not reached the target`,
          'wait for the source to return, or give --force to serve the target without them (failback later ships the target\'s state back over them)');
      }
      await o.apply(rule.id, { primary: to, writesPaused: false }, `rule ${rule.id}: served by its ${to} (the source does not answer)`);
      await settle();
      return { rule: rule.id, primary: to, drained: 0, verified: 0, pausedMs: 0, totalMs: Date.now() - started };
    }
    // Ship what is waiting while changes still flow, so the pause that follows is short.
    await drain(journal, rule.id, o.timeoutMs);
    o.say(`pausing changes to bucket ${rule.source} while the last ones ship`);
    await o.apply(rule.id, { writesPaused: true }, `rule ${rule.id}: changes paused`);
    await settle();
    paused = Date.now();
    const resume = async (why: string) => {
      await o.apply(rule.id, { writesPaused: false }, `rule ${rule.id}: changes resumed (${why})`);
    };
    const left = await drain(journal, rule.id, o.timeoutMs);
    if ((left.waiting > 0 || left.failed > 0) && !o.force) {
      await resume(`${verb} refused`);
      refuse('CUTOVER_UNSHIPPED', `${left.waiting + left.failed} change(s) of rule "${rule.id}" have not shipped to the ${to} ` +
        `(${left.waiting} waiting, ${left.failed} failed)`, left.failed
        ? 'see them with `ferry journal ls --state failed`, retry with `ferry journal retry`, or give --force to lose them on that side'
        : 'is a shipper running (`ferry serve` or `ferry ship`)? Try again, give a longer --timeout, or --force');
    }
    const d = await drift(ends);
    if (d.differing > 0 && !o.force) {
      await resume(`${verb} refused`);
      refuse('CUTOVER_DRIFT', `the two buckets of rule "${rule.id}" differ in ${d.differing} of ${d.walked} key(s)`,
        to === 'target' ? 'copy what the target lacks with `ferry resync`, check with `ferry verify`, then fail over'
          : 'see them with `ferry verify`; --force fails back anyway (the source keeps its own copies)');
    }
    await o.apply(rule.id, { primary: to, writesPaused: false }, `rule ${rule.id}: served by its ${to}`);
    await settle();
    const pausedMs = Date.now() - paused;
    return { rule: rule.id, primary: to, drained: before.waiting, verified: d.walked, pausedMs, totalMs: Date.now() - started };
  } finally {
    await journal.close();
    await ends.close();
  }
}

/** `ferry failover RULE`: every request for the rule's bucket goes to its target bucket from now on. */
export function runFailover(config: FerryConfig, o: CutoverOptions): Promise<CutoverReport> {
  return cutover(config, o, 'target');
}

/** `ferry failback RULE`: ships the changes made during the failover back, checks both sides, returns traffic. */
export function runFailback(config: FerryConfig, o: CutoverOptions): Promise<CutoverReport> {
  return cutover(config, o, 'source');
}
