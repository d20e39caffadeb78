import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { diffListings } from '../../src/ops/spilled-diff.js';
import type { DiffEntry, ListedObject } from '../../src/ops/sorted-diff.js';

const run = promisify(execFile);
const o = (key: string, size = 1, etag = '0cc175b9c0f1b6a831c399e269772661'): ListedObject => ({ key, size, etag });
async function* from(items: ListedObject[]) { yield* items; }
const collect = async (it: AsyncIterable<DiffEntry>) => { const out: Array<[string, string]> = []; for await (const d of it) out.push([d.kind, d.key]); return out; };

t.test('listings in any order compare key by key, in S3 byte order', async (t) => {
  // s3rver lists `rclone-copy/…` before `rclone/…` ('-' sorts before '/' as bytes, after it in s3rver's walk).
  const source = [o('rclone/b'), o('rclone-copy/a'), o('z'), o('rclone/a'), o('😀'), o('\uE000')];
  const target = [o('z', 2), o('rclone-copy/a'), o('only-target'), o('\uE000'), o('rclone/a')];
  t.same(await collect(diffListings(from(source), from(target))), [
    ['extra', 'only-target'], ['same', 'rclone-copy/a'], ['same', 'rclone/a'], ['missing', 'rclone/b'], ['different', 'z'],
    ['same', '\uE000'], ['missing', '😀'],
  ], 'U+E000 sorts before an emoji in UTF-8, unlike in UTF-16');
  t.same(await collect(diffListings(from([]), from([]))), []);
});

// Measured in a process of its own on the built code, as `ferry verify` runs it (the test runner's own allocations
// and loaders would blur the figure). Two figures: the resident memory's growth, and what the diff holds: native
// memory (SQLite's cache, the addon) plus the JavaScript heap that survives a full collection. The resident figure
// also counts garbage and V8's unused heap capacity, which belong to the runtime: Node 24's young generation grows to
// 64 MiB where Node 20's stops at 32, whether the listings are 100,000 keys or a million.
const MEASURE = `
  const { diffListings } = await import(process.argv[1]);
  const { getHeapStatistics } = await import('node:v8');
  const N = Number(process.argv[2]);
  async function* keys(offset) { for (let i = 0; i < N; i++) yield { key: 'k' + String((i * 7919 + offset) % N).padStart(7, '0'), size: 1, etag: 'e' }; }
  const held = () => { gc(); const h = getHeapStatistics(); return process.memoryUsage().rss - h.total_physical_size + h.used_heap_size; };
  const rss0 = process.memoryUsage().rss, held0 = held();
  let peak = 0, heldPeak = 0, n = 0, differences = 0;
  for await (const d of diffListings(keys(0), keys(3))) {
    n++;
    if (d.kind !== 'same') differences++;
    if (n % 10000 === 0) { peak = Math.max(peak, process.memoryUsage().rss - rss0); heldPeak = Math.max(heldPeak, held() - held0); }
  }
  console.log(JSON.stringify({ n, differences, peakMiB: peak / 1048576, heldMiB: heldPeak / 1048576 }));`;

t.test('memory stays bounded for many keys', async (t) => {
  // Held in memory, 2 x 300,000 listed objects would take some 180 MiB (and 2 x 100,000 a third of it); spilled, the
  // diff holds a fixed amount whatever the count (SQLite's 8 MiB cache, a batch, a row). What it holds is compared
  // between the two counts; the resident memory, garbage and all, must stay far below holding the listings.
  const module = fileURLToPath(new URL('../../dist/ops/spilled-diff.js', import.meta.url));
  const measure = async (n: number) => {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', MEASURE, module, String(n)], { env: { PATH: process.env.PATH } });
    return JSON.parse(stdout) as { n: number; differences: number; peakMiB: number; heldMiB: number };
  };
  const small = await measure(100_000);
  const r = await measure(300_000);
  t.equal(r.n, 300_000, 'every key once');
  t.equal(r.differences, 0, 'the same keys in two different orders are the same listing');
  t.ok(r.heldMiB - small.heldMiB < 16, `the diff held ${r.heldMiB.toFixed(1)} MiB for 300000 shuffled keys a side, ` +
    `${small.heldMiB.toFixed(1)} MiB for 100000: it does not grow with the count (held, the listings would add some 120 MiB)`);
  t.ok(r.peakMiB < 150, `resident memory grew ${r.peakMiB.toFixed(1)} MiB (${small.peakMiB.toFixed(1)} for 100000), ` +
    'far below holding both listings (some 180 MiB)');
});
