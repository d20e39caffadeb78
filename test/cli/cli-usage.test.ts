// The command line as an operator meets it: its version, usage errors (status 2, coded), addresses in use, a rule
// left out where the configuration has one, and tables that stay aligned for wide characters and long keys.
import t from 'tap';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteJournalStore } from '../../src/journal/sqlite/sqlite-store.js';
import { displayWidth, cutMiddle, graphemes } from '../../src/ops/text-width.js';
import { formatTable } from '../../src/ops/format.js';
import { formatChanges, KEY_COLUMN_WIDTH } from '../../src/ops/journal-list.js';
import type { ChangeRow } from '../../src/journal/query.js';
import { ruleIdOf } from '../../src/cli/options.js';
import { scratchDir, offlineConfig } from '../helpers/ops-journal.js';
import { runCli, writeConfig } from '../helpers/ops-cli.js';

const rule = (id: string) => ({ id, source: id, target: { region: 'cn-sh', bucket: `${id}-replica` }, enabled: true });

t.test('display widths and cuts in the middle (pure)', async (t) => {
  t.equal(displayWidth('abc'), 3);
  t.equal(displayWidth('照片'), 4, 'CJK ideographs take two columns');
  t.equal(displayWidth('ｆｕｌｌ'), 8, 'fullwidth Latin takes two');
  t.equal(displayWidth('ｶﾀｶﾅ'), 4, 'halfwidth katakana takes one');
  t.equal(displayWidth('e\u0301'), 1, 'a combining accent takes none');
  t.equal(displayWidth('👍🏽'), 2, 'an emoji with a skin tone is one wide grapheme');
  t.equal(displayWidth('한국어'), 6, 'Hangul syllables are wide');

  const long = 'photos/2026/一二三四五六七八九十/final.jpg';
  const cut = cutMiddle(graphemes(long), 30);
  t.ok(displayWidth(cut) <= 30, `"${cut}" fits in 30 columns`);
  t.ok(displayWidth(cut) >= 29, 'and fills them but for at most the half of a wide character');
  t.ok(cut.startsWith('photos/2026/'), 'the start is kept');
  t.ok(cut.endsWith('final.jpg'), 'the end is kept');
  t.match(cut, /…/);
  t.equal(cutMiddle(graphemes('short'), 20), 'short', 'what fits is not cut');
  t.equal(cutMiddle(Array<string>(10).fill('\\x1B'), 10), '\\x1B…\\x1B', 'an escape is kept whole or left out, never split');
});

t.test('tables align by terminal columns and cut long keys unless wide (pure)', async (t) => {
  const table = formatTable([['KEY', 'SIZE'], ['照片.jpg', '1'], ['abc', '2']]);
  const [head, a, b] = table.trimEnd().split('\n');
  const col = (line: string) => displayWidth(line.slice(0, line.lastIndexOf(' ') + 1));
  t.equal(col(a!), col(head!), 'the CJK row\'s second column starts where the header\'s does');
  t.equal(col(b!), col(head!));

  const row = (key: string): ChangeRow => ({ seq: 1, created_at: Date.UTC(2026, 10, 27), rule_id: 'photos', operation: 'PutObject', bucket: 'photos',
    key, access_key_id: 'AKIA', remote_addr: '', origin: 'client', state: 'shipped', status: 200, etag: null, size: 3, version_id: null,
    outcome_at: null, shipped_at: null, target_etag: null, last_error: null, request_id: null, hash: 'h', prev_hash: 'p' } as unknown as ChangeRow);
  const key = `${'深'.repeat(40)}/${'x'.repeat(40)}/end.txt`;
  const cutTable = formatChanges([row(key)], new Set());
  const cell = cutTable.split('\n')[1]!.split(/\s{2,}/)[4]!;
  t.ok(cell.startsWith('photos/深深'), 'the bucket and the key\'s start are shown');
  t.ok(cell.endsWith('/end.txt'), 'the key\'s end is shown');
  t.ok(displayWidth(cell) <= KEY_COLUMN_WIDTH, 'the cell fits its column');
  t.match(cell, /…/);
  const wide = formatChanges([row(key)], new Set(), true);
  t.ok(wide.includes(`photos/${key}`), 'wide shows the key whole');
});

t.test('the rule a command is about (pure)', async (t) => {
  t.equal(ruleIdOf({ rules: [rule('photos')] as never }, undefined), 'photos', 'the only rule');
  t.equal(ruleIdOf({ rules: [rule('photos'), rule('docs')] as never }, 'docs'), 'docs', 'the one given');
  t.throws(() => ruleIdOf({ rules: [rule('photos'), rule('docs')] as never }, undefined), { code: 'OPTION_INVALID', hint: /photos, docs/ });
  t.throws(() => ruleIdOf({ rules: [] }, undefined), { code: 'OPTION_INVALID', message: /no rules/ });
});

t.test('ferry --version is the package\'s', async (t) => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, `${version}\n`);
  }
});

t.test('every usage error exits 2 with a coded message and a hint', async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const file = writeConfig(dir, offlineConfig([rule('photos')]));
  const cases: Array<[string, string[], RegExp, string]> = [
    ['an unknown option', ['serve', '-c', file, '--bogus'], /unknown option '--bogus'/, 'ferry serve'],
    ['a missing argument', ['rules', 'enable', '-c', file], /missing required argument 'id'/, 'ferry rules enable'],
    ['a missing mandatory option', ['status'], /required option '-c, --config <file>' not specified/, 'ferry status'],
    ['a value outside the choices', ['journal', 'export', '-c', file, '--format', 'xml'], /argument 'xml' is invalid/, 'ferry journal export'],
    ['an option without its value', ['journal', 'ls', '-c', file, '--limit'], /option '--limit <n>' argument missing/, 'ferry journal ls'],
    ['an unknown command', ['nope'], /unknown command 'nope'/, 'ferry'],
    ['too many arguments', ['rules', 'rm', 'a', 'b', '-c', file], /too many arguments/, 'ferry rules rm'],
    ['a bad number', ['journal', 'ls', '-c', file, '--limit', 'ten'], /--limit "ten" is not a whole number/, ''],
    ['a bad --watch', ['status', '-c', file, '--watch', '0'], /--watch "0" is not a number of seconds/, ''],
  ];
  for (const [what, args, message, help] of cases) {
    const r = await runCli(args);
    t.equal(r.code, 2, `${what}: status 2`);
    t.match(r.stderr, /^ferry: OPTION_INVALID: /, `${what}: coded`);
    t.match(r.stderr, message, `${what}: says what is wrong`);
    if (help) t.match(r.stderr, `hint: see \`${help} --help\``, `${what}: the hint names the command`);
    t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  }
  const two = writeConfig(dir, offlineConfig([rule('photos'), rule('docs')]), 'two.json');
  for (const cmd of ['verify', 'resync']) {
    const r = await runCli([cmd, '-c', two]);
    t.equal(r.code, 2, `${cmd} without --rule on a configuration of two rules`);
    t.match(r.stderr, /OPTION_INVALID: --rule is missing and the configuration has 2 rules\n  hint: name one with --rule: photos, docs/);
  }
  const bare = await runCli(['rules']);
  t.equal(bare.code, 2, 'a group without its subcommand is a usage error');
  t.match(bare.stderr, /Usage: ferry rules/, 'and shows its help');
  const help = await runCli(['rules', '--help']);
  t.equal(help.code, 0, '--help is no error');
  t.match(help.stdout, /Usage: ferry rules/);
});

/** A listener holding a loopback port, as another process would. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

t.test('an address in use is ADDRESS_IN_USE with a hint, for the gateway and for the admin listener', async (t) => {
  const { dir, cleanup } = scratchDir();
  const held = await holdPort();
  t.teardown(() => { held.server.close(); cleanup(); });
  const gateway = writeConfig(dir, { ...offlineConfig([]), listen: `127.0.0.1:${held.port}` }, 'gateway.json');
  let r = await runCli(['serve', '-c', gateway]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, `ferry: ADDRESS_IN_USE: the gateway: 127.0.0.1:${held.port} is already in use by another process`);
  t.match(r.stderr, /hint: stop what listens there .*--listen HOST:PORT/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');

  const admin = writeConfig(dir, { ...offlineConfig([]), listen: '127.0.0.1:0', admin: { listen: `127.0.0.1:${held.port}` } }, 'admin.json');
  r = await runCli(['serve', '-c', admin]);
  t.equal(r.code, 2, r.stderr);
  t.match(r.stderr, `ferry: ADDRESS_IN_USE: the admin listener: 127.0.0.1:${held.port} is already in use`);
  t.match(r.stderr, /admin\.listen/);
});

t.test('journal ls aligns wide keys and cuts long ones; --wide shows them whole', async (t) => {
  const { dir, cleanup } = scratchDir();
  t.teardown(cleanup);
  const file = writeConfig(dir, offlineConfig([rule('photos')]));
  const j = new SqliteJournalStore(join(dir, 'journal.db'));
  const long = `相册/${'长'.repeat(50)}/IMG_0001.jpg`;
  const who = { accessKeyId: 'AKIAALICE', remoteAddr: '10.0.0.7' };
  await j.appendApplied([{ ruleId: 'photos', bucket: 'photos', key: '照片.jpg', operation: 'PutObject', ...who },
    { ruleId: 'photos', bucket: 'photos', key: 'plain.jpg', operation: 'PutObject', ...who },
    { ruleId: 'photos', bucket: 'photos', key: long, operation: 'PutObject', ...who }]);
  await j.close();
  const r = await runCli(['journal', 'ls', '-c', file]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const clientColumn = (line: string) => displayWidth(line.slice(0, line.indexOf('AKIA')));
  t.equal(clientColumn(lines[1]!), clientColumn(lines[0]!.replace('CLIENT', 'AKIA')), 'the cut long key keeps the columns aligned');
  t.equal(clientColumn(lines[2]!), clientColumn(lines[0]!.replace('CLIENT', 'AKIA')), 'an ASCII key too');
  t.equal(clientColumn(lines[3]!), clientColumn(lines[0]!.replace('CLIENT', 'AKIA')), 'a CJK key too');
  t.match(lines[1], /photos\/相册\/长+…长+\/IMG_0001\.jpg/, 'the long key is cut in the middle');
  const wide = await runCli(['journal', 'ls', '-c', file, '--wide']);
  t.ok(wide.stdout.includes(`photos/${long}`), '--wide shows it whole');
});
