// The journal store contract: every behaviour the rest of Ferry relies on, run against each store (as undici runs
// one cache-store suite against every cache store). A store passes only if it passes all of it.
import type { Test } from 'tap';
import { RESYNC_MISSING, type IntentInput, type JournalStore } from '../../src/journal/journal-store.js';
import { queueKey } from '../../src/journal/queue-key.js';

const who = { accessKeyId: 'AKIAALICE', remoteAddr: '10.0.0.7' };
const intent = (key: string, over: Partial<IntentInput> = {}): IntentInput =>
  ({ ruleId: 'photos', operation: 'PutObject', bucket: 'photos', key, ...who, ...over });

/** Runs the contract; `open` gives a fresh, empty store each time. */
export function storeContract(t: Test, open: () => Promise<JournalStore>): void {
  const fresh = async (t: Test) => {
    const s = await open();
    t.teardown(() => s.close());
    return s;
  };

  t.test('intents and outcomes: consecutive seqs, applied changes queue, refused ones do not', async (t) => {
    const s = await fresh(t);
    let commits = 0;
    s.on('commit', () => commits++);
    const [a, b, c] = await s.appendIntents([intent('a'), intent('b'), intent('c', { operation: 'DeleteObject' })]);
    t.same([a, b, c], [1, 2, 3]);
    t.match(await s.getChange(a!), { seq: 1, state: 'intent', key: 'a', rule_id: 'photos', access_key_id: 'AKIAALICE', origin: 'client' });
    await s.recordOutcomes([{ seq: a!, applied: true, status: 200, etag: '"e1"', size: 5, requestId: 'R1', versionId: 'v1' },
      { seq: b!, applied: false, status: 403, error: 'AccessDenied' }]);
    t.match(await s.getChange(a!), { state: 'pending', status: 200, etag: '"e1"', size: 5, request_id: 'R1', version_id: 'v1' });
    t.match(await s.getChange(b!), { state: 'rejected', status: 403, last_error: 'AccessDenied' });
    t.ok(commits > 0, 'commits are announced');
    const due = await s.due(['photos'], Date.now() + 1, 10, new Set());
    t.same(due.map((e) => e.key), ['a'], 'only the applied change is queued');
    await t.rejects(s.getChange(99), { code: 'JOURNAL_ROW_NOT_FOUND' });
    t.equal(await s.latestState('photos', 'photos', 'a'), 'pending');
    t.equal(await s.latestState('photos', 'photos', 'b'), undefined, 'a refused change is not a state of the key');
    t.equal(await s.latestState('photos', 'photos', 'c'), 'intent');
  });

  t.test('concurrent appends get distinct seqs without gaps and the chain verifies', async (t) => {
    const s = await fresh(t);
    const seqs = await Promise.all(Array.from({ length: 120 }, (_, i) => s.appendIntents([intent(`k${i}`), intent(`k${i}b`)])));
    t.same(seqs.flat().sort((x, y) => x - y), Array.from({ length: 240 }, (_, i) => i + 1));
    t.match(await s.verifyChain(), { ok: true, rows: 240, verified: 240, head: { seq: 240 } });
    t.match(await s.head(), { seq: 240 });
  });

  t.test('the queue: coalescing, rules, busy keys, shipping, newer changes keep the key queued', async (t) => {
    const s = await fresh(t);
    const now = Date.now();
    await s.appendApplied([intent('x'), intent('x'), intent('y'), intent('z', { ruleId: 'docs', bucket: 'docs' })]);
    const due = await s.due(['photos'], now + 1, 10, new Set());
    t.same(due.map((e) => [e.key, e.maxSeq, e.attempts]), [['x', 2, 0], ['y', 3, 0]], 'one entry per key, for enabled rules');
    t.same((await s.due(['photos'], now + 1, 10, new Set([queueKey(due[0]!)]))).map((e) => e.key), ['y'], 'busy keys are skipped');
    t.same((await s.due([], now + 1, 10, new Set())), []);
    t.same((await s.rulesWithWork()).sort(), ['docs', 'photos']);
    const x = due[0]!;
    await s.appendApplied([intent('x')]);
    t.equal(await s.shipped(x, x.maxSeq, '"t"', 'shipped', now + 2), 0);
    t.match(await s.getChange(1), { state: 'shipped', target_etag: '"t"', shipped_at: now + 2 });
    t.match(await s.getChange(5), { state: 'pending' }, 'the change after the copy started is still pending');
    t.same((await s.due(['photos'], now + 3, 10, new Set())).map((e) => [e.key, e.maxSeq]).sort(), [['x', 5], ['y', 3]]);
    t.equal(await s.cancelRule('docs'), 1);
    t.match(await s.getChange(4), { state: 'cancelled' });
    t.same(await s.rulesWithWork(), ['photos']);
  });

  t.test('a resync row for a key missing from the target says so to the shipper, until a newer change or an attempt', async (t) => {
    const s = await fresh(t);
    const now = Date.now();
    const resync = { origin: 'resync' as const, operation: RESYNC_MISSING };
    await s.appendApplied([intent('m', resync), intent('d', { ...resync, operation: 'Resync' }), intent('c'), intent('n', resync)]);
    await s.appendApplied([intent('n')]);
    const hints = async (at: number) => Object.fromEntries((await s.due(['photos'], at, 10, new Set())).map((e) => [e.key, e.targetAbsent]));
    t.same(await hints(now + 1), { m: true, d: false, c: false, n: false },
      'only where the newest change is a resync that found the key missing');
    const [m] = (await s.due(['photos'], now + 1, 10, new Set())).filter((e) => e.key === 'm');
    await s.failed(m!, 'boom', now + 2, 5, now + 1);
    t.equal((await hints(now + 3)).m, false, 'not after a failed attempt (the attempt may have written the target)');
  });

  t.test('attempts: backoff, failure after maxAttempts, history, retry, postpone', async (t) => {
    const s = await fresh(t);
    const now = Date.now();
    await s.appendApplied([intent('f')]);
    let [e] = await s.due(['photos'], now, 10, new Set());
    t.equal(await s.failed(e!, '503 SlowDown', now + 100, 2, now), 'ready');
    t.same(await s.due(['photos'], now + 50, 10, new Set()), [], 'not due before its backoff ends');
    [e] = await s.due(['photos'], now + 100, 10, new Set());
    t.equal(e!.attempts, 1);
    t.equal(await s.failed(e!, '400 InvalidArgument', now + 200, 2, now + 1), 'failed');
    t.match(await s.getChange(1), { state: 'failed', last_error: '400 InvalidArgument' });
    t.same(await s.due(['photos'], now + 10_000, 10, new Set()), [], 'a failed key is not due');
    t.match(await s.shippingHistory(await s.getChange(1)), [{ result: 'error', detail: '503 SlowDown' }, { result: 'error', detail: '400 InvalidArgument' }]);
    t.same(await s.retryFailed(), { keys: 1, changes: 1 });
    [e] = await s.due(['photos'], now, 10, new Set());
    t.equal(e!.attempts, 0, 'a retried key starts over');
    await s.postpone(e!, now + 1000, 'region unreachable');
    t.same(await s.due(['photos'], now + 500, 10, new Set()), [], 'postponed');
    [e] = await s.due(['photos'], now + 1000, 10, new Set());
    t.equal(e!.attempts, 0, 'postponing uses no attempt');
    await s.shipped(e!, e!.maxSeq, '"t"', 'shipped', now + 1001);
    const history = await s.shippingHistory(await s.getChange(1));
    t.same(history.map((a) => a.result), ['error', 'error', 'shipped'], 'history ends at the first success');
  });

  t.test('uncertain changes: queued for the shipper, unchanged when the source showed nothing', async (t) => {
    const s = await fresh(t);
    const [a, b] = await s.appendIntents([intent('u1'), intent('u2')]);
    s.markUncertain([a!]);
    await new Promise((r) => setTimeout(r, 50));
    const now = Date.now() + 1;
    t.same((await s.due(['photos'], now, 10, new Set())).map((e) => e.key), ['u1']);
    t.equal(await s.recoverIntents(Date.now() + 1), 2, 'the sweep queues intents without an outcome');
    const due = await s.due(['photos'], now, 10, new Set());
    t.same(due.map((e) => e.key), ['u1', 'u2']);
    t.equal(await s.shipped(due[0]!, due[0]!.maxSeq, null, 'deleted', now, false), 1);
    t.match(await s.getChange(a!), { state: 'unchanged' });
    t.match(await s.getChange(b!), { state: 'intent' });
  });

  t.test('listings: filters, order, limits, batches, exports in column order; figures for status', async (t) => {
    const s = await fresh(t);
    const entries = Array.from({ length: 2500 }, (_, i) => intent(`p/${String(i).padStart(5, '0')}`));
    entries.push(intent('q/other', { accessKeyId: 'AKIABOB' }), intent('d/doc', { ruleId: 'docs', bucket: 'docs' }));
    await s.appendApplied(entries);
    const all = async (it: AsyncIterable<Array<{ seq: number; key: string }>>) => { const out = []; for await (const b of it) out.push(...b); return out; };
    const newest = await all(s.listChanges({}, [], { order: 'desc', limit: 3 }));
    t.same(newest.map((r) => r.seq), [2502, 2501, 2500]);
    t.equal((await all(s.listChanges({ prefix: 'p/' }, []))).length, 2500, 'every row, over several batches');
    t.same((await all(s.listChanges({ client: 'AKIABOB' }, []))).map((r) => r.key), ['q/other']);
    t.same((await all(s.listChanges({ state: 'held' }, ['docs']))).map((r) => r.key), ['d/doc']);
    t.equal((await all(s.listChanges({ state: 'pending' }, ['docs']))).length, 2501);
    t.same(await all(s.listChanges({ state: 'held' }, [])), []);
    let n = 0;
    let first: unknown[] | undefined;
    for await (const batch of s.exportChanges({}, [])) { first ??= batch[0]; n += batch.length; }
    t.equal(n, 2502);
    t.match(first, [1, Number, 'photos', 'PutObject', 'photos', 'p/00000', 'AKIAALICE', '10.0.0.7', 'client', /^[0-9a-f]{64}$/, 'pending']);
    t.same((await s.pendingByRule()).sort((a, b) => a.rule.localeCompare(b.rule)),
      [{ rule: 'docs', operations: 1, bytes: 0 }, { rule: 'photos', operations: 2501, bytes: 0 }]);
    const now = Date.now();
    const [e] = await s.due(['docs'], now, 1, new Set());
    await s.shipped(e!, e!.maxSeq, '"t"', 'shipped', now);
    const figures = await s.ruleFigures(['photos', 'docs'], now + 1, 60_000, 100);
    t.match(figures.get('photos'), { pending: { operations: 2501, bytes: 0 }, readyKeys: 2501, failed: 0, unchanged: 0, shipped: { lastMinute: 0, lastHour: 0 } });
    t.match(figures.get('docs'), { pending: { operations: 0, oldest: null }, readyKeys: 0, shipped: { lastMinute: 1, lastHour: 1 } });
    t.equal(figures.get('docs')!.lagsMs.length, 1);
    t.equal(await s.writable(), 'ok');
  });

  t.test('listings since a time: exactly the rows created from then on, in either order, bounded by the first of them', async (t) => {
    const s = await fresh(t);
    await s.appendIntents(Array.from({ length: 30 }, (_, i) => intent(`old/${i}`)));
    await new Promise((r) => setTimeout(r, 20));
    const [first] = await s.appendIntents([intent('new/0')]);
    await s.appendIntents(Array.from({ length: 9 }, (_, i) => intent(`new/${i + 1}`, i === 4 ? { ruleId: 'docs', bucket: 'docs' } : {})));
    const since = (await s.getChange(first!)).created_at;
    const all = async (it: AsyncIterable<Array<{ seq: number; key: string }>>) => { const out = []; for await (const b of it) out.push(...b); return out; };
    t.same((await all(s.listChanges({ since }, [], { order: 'desc' }))).map((r) => r.seq), Array.from({ length: 10 }, (_, i) => 40 - i));
    t.same((await all(s.listChanges({ since }, []))).map((r) => r.seq), Array.from({ length: 10 }, (_, i) => 31 + i));
    t.same((await all(s.listChanges({ since, rule: 'docs' }, [], { order: 'desc', limit: 5 }))).map((r) => r.key), ['new/5']);
    t.same((await all(s.listChanges({ since: since - 1, until: since }, []))).length, 0, 'until stays exclusive');
    t.same(await all(s.listChanges({ since: Date.now() + 60_000 }, [])), [], 'nothing since a time to come');
  });

  t.test('retention: prunes finished rows, leaves checkpoints, the chain verifies, new rows chain on', async (t) => {
    const s = await fresh(t);
    await s.appendApplied(Array.from({ length: 60 }, (_, i) => intent(`r${i}`)));
    const now = Date.now();
    const due = await s.due(['photos'], now, 100, new Set());
    for (const e of due) if (e.maxSeq !== 20 && e.maxSeq !== 21) await s.shipped(e, e.maxSeq, '"t"', 'shipped', now);
    const cutoff = Date.now() + 60_000;
    t.equal(await s.countPrunable(cutoff), 57);
    const r = await s.prune(cutoff, { batchSize: 16 });
    t.match(r, { pruned: 57, checkpoints: 2, oldestKept: { seq: 20, state: 'pending' } });
    t.match(await s.verifyChain(), { ok: true, rows: 3, checkpoints: 2 });
    await s.appendApplied([intent('after')]);
    t.match(await s.verifyChain(), { ok: true, rows: 4 }, 'rows appended after pruning chain from the newest row');
    t.match(await s.head(), { seq: 61 });
  });

  t.test('leases: a leased key goes to no other owner until it is released or its lease runs out', async (t) => {
    const s = await fresh(t);
    const now = Date.now();
    await s.appendApplied([intent('l1'), intent('l2'), intent('l3')]);
    const a = await s.due(['photos'], now, 10, new Set(), { owner: 'A', ms: 1000 });
    t.same(a.map((e) => e.key).sort(), ['l1', 'l2', 'l3']);
    t.same(await s.due(['photos'], now, 10, new Set(), { owner: 'B', ms: 1000 }), [], 'all leased to A');
    t.equal((await s.due(['photos'], now, 10, new Set(), { owner: 'A', ms: 1000 })).length, 3, 'its owner still sees them (its busy set skips them)');
    const [l1, l2, l3] = ['l1', 'l2', 'l3'].map((k) => a.find((e) => e.key === k)!);
    await s.renewLeases([l1!], 'A', now + 5000);
    await s.renewLeases([l2!], 'B', now + 5000);
    t.same((await s.due(['photos'], now + 1000, 10, new Set(), { owner: 'B', ms: 1000 })).map((e) => e.key).sort(), ['l2', 'l3'],
      'expired leases are taken over; a renewed one is not, and only its owner can renew it');
    await s.postpone(l1!, now, null);
    t.same((await s.due(['photos'], now + 1000, 10, new Set(), { owner: 'C', ms: 1000 })).map((e) => e.key), ['l1'], 'postponing gives the lease up');
    await s.appendApplied([intent('l3')]);
    await s.shipped(l3!, l3!.maxSeq, '"t"', 'shipped', now + 1000);
    t.same((await s.due(['photos'], now + 1000, 10, new Set(), { owner: 'D', ms: 1000 })).map((e) => [e.key, e.maxSeq]), [['l3', 4]],
      'a key that changed again during its copy is released for the next copy');
    await s.renewLeases([l1!], 'C', 0);
    t.same((await s.due(['photos'], now + 1000, 10, new Set(), { owner: 'E', ms: 1000 })).map((e) => e.key), ['l1'], 'renewing until 0 gives a lease up');
  });

  t.test('each row records the gateway that wrote it, and the writer is chained', async (t) => {
    const s = await fresh(t);
    await s.appendIntents([intent('w')]);
    t.match(await s.getChange(1), { writer: String });
    t.match(await s.verifyChain(), { ok: true, verified: 1 });
  });

  t.test('resync progress is saved, read back and cleared', async (t) => {
    const s = await fresh(t);
    t.equal(await s.resyncProgress.get('photos'), undefined);
    await s.resyncProgress.save('photos', { afterKey: 'k9', startedAt: 1, updatedAt: 2, rowsWritten: 3 });
    await s.resyncProgress.save('photos', { afterKey: 'k19', startedAt: 1, updatedAt: 4, rowsWritten: 7 });
    t.same(await s.resyncProgress.get('photos'), { afterKey: 'k19', startedAt: 1, updatedAt: 4, rowsWritten: 7 });
    await s.resyncProgress.clear('photos');
    t.equal(await s.resyncProgress.get('photos'), undefined);
  });
}
