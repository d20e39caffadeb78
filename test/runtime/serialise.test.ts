// Reloads run one at a time: a request made while one runs waits, and all the requests made meanwhile coalesce
// into one more run with the newest input, whose outcome each of them gets.
import t from 'tap';
import { serialise } from '../../src/runtime/serialise.js';

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

t.test('one run at a time; requests made meanwhile coalesce into one run of the newest input', async (t) => {
  const runs: number[] = [];
  let active = 0;
  let peak = 0;
  const reload = serialise(async (n: number) => {
    active++;
    peak = Math.max(peak, active);
    await tick(30);
    runs.push(n);
    active--;
  });
  await Promise.all([reload(1), reload(2), reload(3), reload(4)]);
  t.same(runs, [1, 4], 'the first ran, then one more with the newest input');
  t.equal(peak, 1, 'never two at once');
  await reload(5);
  t.same(runs, [1, 4, 5], 'a later request runs on its own');
});

t.test('a failing run fails its own callers only; idle waits for the runs to end', async (t) => {
  const reload = serialise(async (n: number) => {
    await tick();
    if (n === 2) throw new Error('refused');
  });
  const first = reload(1);
  const queued = [reload(2), reload(2)];
  await t.resolves(first);
  for (const q of queued) await t.rejects(q, /refused/);
  let done = false;
  void reload(3).then(() => { done = true; });
  await reload.idle();
  t.ok(done, 'idle resolved after the run');
});
