// Terminal injection: a client chooses its keys, and keys reach the operator's screen through `journal ls`, `journal
// show`, `verify` and error messages. Every human-readable output shows control characters as visible escapes, so
// a key can neither erase lines nor retitle the terminal; `--json` keeps the key exactly as stored.
import t from 'tap';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { formatTable, visible } from '../../src/ops/format.js';
import { formatDiff } from '../../src/ops/rule-walk.js';
import { formatRules } from '../../src/cli/commands/rules/ls.js';
import { rawConfig, sdkClient, startRegions, startTestFerry, waitFor } from '../helpers/world.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';

// Erase the line, set the window title, a bare CR, a C1 CSI, a right-to-left override, a backslash.
const HOSTILE = 'a\x1b[2K\x1b]0;owned\x07\rfake\x9b31m\u202Egpj.exe\\end';
// What a terminal acts on; a line feed is allowed only as the end of a line of output.
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

t.test('visible escapes what a terminal would act on (pure)', async (t) => {
  t.equal(visible('plain/key.txt'), 'plain/key.txt');
  t.equal(visible('图/😀 é'), '图/😀 é', 'printable Unicode is left alone');
  t.equal(visible('\x1b[2K'), '\\x1B[2K');
  t.equal(visible('a\nb\tc\r\x00\x7f\x9b'), 'a\\x0Ab\\x09c\\x0D\\x00\\x7F\\x9B');
  t.equal(visible('\u202Eexe\u2066\u2028'), '\\u202Eexe\\u2066\\u2028');
  t.equal(visible('a\\x1B'), 'a\\\\x1B', 'a key that spells an escape reads differently from one holding ESC');
  t.notMatch(visible(HOSTILE), ACTIVE);
  const table = formatTable([['KEY'], [HOSTILE]]);
  t.equal(table.split('\n').length, 3, 'one table line per row');
  t.notMatch(table, ACTIVE);
  t.notMatch(formatDiff({ kind: 'missing', key: HOSTILE, source: { key: HOSTILE, size: 1, etag: '"e"' } } as never).replace(/\n$/, ''), ACTIVE);
  t.notMatch(formatRules([{ id: 'r\x1b]0;x\x07', source: 'b', target: { region: 'cn-sh', bucket: 'c' }, enabled: true }]), ACTIVE);
});

t.test('journal ls, journal show and verify print hostile keys escaped; --json keeps them exact', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  t.teardown(() => regions.stop());
  const rule = { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true };
  const raw = rawConfig(regions, { rules: [rule], shipper: { enabled: false } });
  const ferry = await startTestFerry(raw);
  t.teardown(() => ferry.stop());
  const file = writeConfig(regions.dir, raw, 'visible.json');
  // Whether s3rver stores such a name or not, the intent is journaled under it before the source answers.
  await sdkClient(ferry.endpoint).send(new PutObjectCommand({ Bucket: 'photos', Key: HOSTILE, Body: 'x' })).catch(() => undefined);
  await waitFor(async () => (await runCli(['journal', 'ls', '--json', '-c', file])).stdout.includes('"seq"'), 10_000, 'the journal row');

  const json = await runCli(['journal', 'ls', '--json', '-c', file]);
  const row = JSON.parse(json.stdout.trim().split('\n')[0]!) as { seq: number; key: string };
  t.equal(row.key, HOSTILE, '--json: the key exactly as stored');
  const checks: Array<[string, string[]]> = [
    // Cut in the middle, the escaped key still shows no control character; whole, it shows every escape.
    ['journal ls (cut)', ['journal', 'ls']],
    ['journal ls', ['journal', 'ls', '--wide']],
    ['journal show', ['journal', 'show', String(row.seq)]],
    ['verify', ['verify', '--rule', 'photos']],
  ];
  for (const [name, args] of checks) {
    const r = await runCli([...args, '-c', file]);
    t.notMatch(r.stdout, ACTIVE, `${name}: no control character reaches the terminal`);
    t.notMatch(r.stderr, ACTIVE, `${name}: nor on stderr`);
    if (name === 'journal ls (cut)') t.match(r.stdout, /photos\/a\\x1B\[2K.*….*\\end /, `${name}: its start and end, escaped`);
    else if (name !== 'verify' || r.stdout.includes('missing')) t.match(r.stdout, '\\x1B]0;owned\\x07', `${name}: the escape is shown, visibly`);
  }
  const missing = await runCli(['journal', 'show', '999999', '-c', file]);
  t.not(missing.code, 0);
  const bad = await runCli(['journal', 'show', 'x\x1b]0;t\x07', '-c', file]);
  t.equal(bad.code, 2, 'an invalid argument is refused');
  t.notMatch(bad.stderr, ACTIVE, 'and the error quoting it is escaped');
  t.match(bad.stderr, '\\x1B]0;t\\x07');
});
