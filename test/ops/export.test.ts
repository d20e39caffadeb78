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
  await fillJournal(journal, ROWS, (i) => change(i, { key: `photos/2026/${String(i).padStart(8, '0')}/${'x'.repeat(72)}`,
    remoteAddr: `10.${i % 250}.${i % 199}.${i % 97}` }));
  await journal.close();
  t.comment(`${ROWS} rows journaled in ${Date.now() - filled} ms`);

  // Only newlines are counted, so the test's own memory holds no export.
  let newlines = 0;
  const count = (c: Buffer) => { for (const b of c) if (b === 10) newlines++; };
  const full = await runCli(['journal', 'export', '--format', 'jsonl', '-c', file], { keepStdout: false, onStdout: count });
  t.equal(full.code, 0, full.stderr);
  t.equal(newlines, ROWS, 'one line per row');
  const small = await runCli(['journal', 'export', '--format', 'jsonl', '--prefix', 'photos/2026/0000000', '-c', file],
    { keepStdout: false });
  t.equal(small.code, 0, small.stderr);
  const growth = (full.peakRssKb - small.peakRssKb) / 1024;
  t.comment(`jsonl to a pipe: ${ROWS} rows in ${full.ms} ms (${Math.round(ROWS / (full.ms / 1000))} rows/s), ` +
    `peak RSS ${(full.peakRssKb / 1024).toFixed(0)} MiB vs ${(small.peakRssKb / 1024).toFixed(0)} MiB for 10 rows`);
  // Holding the rows would cost well over 100 MB (45 MB of text, and an object per row); streaming costs only the
  // heap's headroom before collections, which does not grow with the count (1,000,000 rows peak no higher).
  t.ok(growth < 40, `peak RSS grows by ${growth.toFixed(1)} MiB for ${ROWS} rows (~45 MB of output)`);

  const out = join(dir, 'export.csv');
  const csv = await runCli(['journal', 'export', '--format', 'csv', '-o', out, '-c', file]);
  t.equal(csv.code, 0, csv.stderr);
  const lines = await countLines(out);
  t.equal(lines.lines, ROWS + 1, 'header and one line per row');
  t.match(lines.first, /^seq,created_at,rule_id,/);
  t.match(lines.last, new RegExp(`^${ROWS},\\d+,photos,PutObject,photos,photos/2026/00099999/x+,AKIATEST,`));
  t.comment(`csv to a file (write stream, drained): ${csv.ms} ms, peak RSS ${(csv.peakRssKb / 1024).toFixed(0)} MiB`);
  t.ok((csv.peakRssKb - small.peakRssKb) / 1024 < 40, 'writing a file respects backpressure');

  // A reader that stops early (`| head -1`) ends the export quietly.
  const piped = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" journal export -c "${file}" | head -n 1; echo "status \${PIPESTATUS[0]}" >&2`],
    { encoding: 'utf8' });
  t.match(piped.stdout, /^\{"seq":1,/);
  t.match(piped.stderr, /^status 0\n$/, 'exit 0 and nothing on stderr');
});
