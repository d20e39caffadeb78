// The gateway's connection cap leaves descriptors for the rest of Ferry, whatever the open-file limit.
import t from 'tap';
import { connectionBudget, openFilesLimit } from '../../src/gateway/descriptor-budget.js';

const config = (maxConnections: number) => ({
  gateway: { maxConnections, headersTimeoutMs: 20_000, idleTimeoutMs: 120_000 },
  upstream: { connections: 64, timeoutMs: 30_000 },
  shipper: { concurrency: 8 } as never,
  regions: { a: {} as never, b: {} as never },
});

t.test('the limit on open files from /proc/self/limits (pure)', async (t) => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
    'Max open files            400                  1048576              files     \n';
  t.equal(openFilesLimit(text), 400);
  t.equal(openFilesLimit(text.replace('400 ', 'unlimited ')), undefined);
  t.equal(openFilesLimit(''), undefined);
});

t.test('the cap keeps the reserve (pure)', async (t) => {
  t.same(connectionBudget(config(1024), 400), { maxConnections: 240, reserved: 160 }, '64 upstream + 2 regions x 16 + 64 spare');
  t.same(connectionBudget(config(100), 20_000), { maxConnections: 100, reserved: 160 }, 'the configured cap when it fits');
  t.same(connectionBudget(config(1024), undefined), { maxConnections: 1024, reserved: 160 }, 'no limit known: as configured');
  t.equal(connectionBudget(config(1024), 100).maxConnections, 1, 'never below one');
});
