import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { change, fillJournal, scratchDir, offlineConfig } from '../helpers/ops-journal.js';
import { CLI, runCli, writeConfig } from '../helpers/ops-cli.js';

const ROWS = 100_000;

async function countLines(file: string): Promise<{ lines: number; first: string; last: string }> {
  let lines = 0;
  let first = '';
  let last = '';
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (lines === 0) first = line;
    last = line;
    lines++;
  }
  return { lines, first, last };
}

t.test(`an export of ${ROWS} rows streams in constant memory`, async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const file = writeConfig(dir, offlineConfig([{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' } }]));
  const journal = new SqliteJournalStore(join(dir, 'journal.db'));
  const filled = Date.now();
  // Keys of 100 bytes and a padded client address make rows of about 450 bytes of JSON (45 MB in all).
  // The first half are deletes, so `--op DeleteObject` exports exactly half the rows.
  await fillJournal(journal, ROWS, (i) => change(i, { key: `photos/2026/${String(i).padStart(8, '0')}/${'x'.repeat(72)}`,
    remoteAddr: `10.${i % 250}.${i % 199}.${i % 97}`, operation: i < ROWS / 2 ? 'DeleteObject' : 'PutObject' }));
  await journal.close();
  t.comment(`${ROWS} rows journaled in ${Date.now() - filled} ms`);

  // Only newlines are counted, so the test's own memory holds no export.
  let newlines = 0;
  const count = (c: Buffer) => { for (const b of c) if (b === 10) newlines++; };
  const full = await runCli(['journal', 'export', '--format', 'jsonl', '-c', file], { keepStdout: false, onStdout: count });
  t.equal(full.code, 0, full.stderr);
  t.equal(newlines, ROWS, 'one line per row');
  let halfLines = 0;
  const half = await runCli(['journal', 'export', '--format', 'jsonl', '--op', 'DeleteObject', '-c', file],
    { keepStdout: false, onStdout: (c: Buffer) => { for (const b of c) if (b === 10) halfLines++; } });
  t.equal(half.code, 0, half.stderr);
  t.equal(halfLines, ROWS / 2, 'half the rows');
  const growth = (full.peakRssKb - half.peakRssKb) / 1024;
  t.comment(`jsonl to a pipe: ${ROWS} rows in ${full.ms} ms (${Math.round(ROWS / (full.ms / 1000))} rows/s), ` +
    `peak RSS ${(full.peakRssKb / 1024).toFixed(0)} MiB vs ${(half.peakRssKb / 1024).toFixed(0)} MiB for ${ROWS / 2} rows`);
  // Holding the rows would cost some 50 MB more for the second half (22 MB of text, and an object per row).
  // Streaming costs the heap's headroom before collections, reached well before half the rows: a fixed amount
  // (it depends on the runtime and on the machine's load), so it is the growth from half to all that must stay small.
  t.ok(growth < 16, `peak RSS grows by ${growth.toFixed(1)} MiB from ${ROWS / 2} to ${ROWS} rows (~22 MB more output)`);

  const out = join(dir, 'export.csv');
  const csv = await runCli(['journal', 'export', '--format', 'csv', '-o', out, '-c', file]);
  t.equal(csv.code, 0, csv.stderr);
  const lines = await countLines(out);
  t.equal(lines.lines, ROWS + 1, 'header and one line per row');
  t.match(lines.first, /^seq,created_at,rule_id,/);
  t.match(lines.last, new RegExp(`^${ROWS},\\d+,photos,PutObject,photos,photos/2026/00099999/x+,AKIATEST,`));
  t.comment(`csv to a file (write stream, drained): ${csv.ms} ms, peak RSS ${(csv.peakRssKb / 1024).toFixed(0)} MiB`);
  t.ok((csv.peakRssKb - half.peakRssKb) / 1024 < 16, `writing a file respects backpressure (${((csv.peakRssKb - half.peakRssKb) / 1024).toFixed(1)} MiB over the half export)`);

  // A reader that stops early (`| head -1`) ends the export quietly.
  const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" journal export -c "${file}" | head -n 1; echo "status \${PIPESTATUS[0]}" >&2`],
    { encoding: 'utf8' });
  t.match(piped.stdout, /^\{"seq":1,/);
  t.match(piped.stderr, /^status 0\n$/, 'exit 0 and nothing on stderr');
});
