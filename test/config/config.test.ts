import t from 'tap';
import { parseConfig } from '../../src/config/parse.js';
import { expandEnv } from '../../src/config/expand-env.js';

const base = () => ({
  listen: '127.0.0.1:9000',
  journal: { path: './j.db' },
  regions: {
    'cn-bj': { endpoint: 'http://127.0.0.1:4568', accessKeyId: 'A', secretAccessKey: 'S' },
    'cn-sh': { endpoint: 'http://127.0.0.1:4569', accessKeyId: 'A', secretAccessKey: 'S' },
  },
  source: 'cn-bj',
  clients: [{ accessKeyId: 'K', secretAccessKey: 'S' }],
  rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true }] as unknown[],
});

t.test('a valid configuration parses with defaults', async (t) => {
  const c = parseConfig(base());
  t.equal(c.shipper.concurrency, 8);
  t.equal(c.rules[0]!.enabled, true);
  t.equal(c.regions['cn-bj']!.signingRegion, 'cn-bj');
  t.equal(c.regions['cn-bj']!.countsTags, undefined, 'tag counting is learned unless declared');
});

t.test('a region may be declared to count tags', async (t) => {
  const c = base();
  Object.assign(c.regions['cn-bj'], { countsTags: true });
  Object.assign(c.regions['cn-sh'], { countsTags: false });
  const parsed = parseConfig(c);
  t.equal(parsed.regions['cn-bj']!.countsTags, true);
  t.equal(parsed.regions['cn-sh']!.countsTags, false);
  Object.assign(c.regions['cn-bj'], { countsTags: 'yes' });
  t.throws(() => parseConfig(c), { code: 'CONFIG_INVALID', message: /regions\.cn-bj\.countsTags" must be true or false/ });
});

t.test('invalid fields are named', async (t) => {
  const cases: Array<[string, (c: ReturnType<typeof base>) => void, RegExp]> = [
    ['missing source region', (c) => { c.source = 'nowhere'; }, /"source"/],
    ['bad endpoint', (c) => { c.regions['cn-sh'].endpoint = 'ftp://x'; }, /regions\.cn-sh\.endpoint/],
    ['no clients', (c) => { c.clients = []; }, /"clients"/],
    ['rule without target bucket', (c) => { c.rules = [{ id: 'x', source: 'a', target: { region: 'cn-sh' } }]; }, /rules\[0\]\.target\.bucket/],
    ['same region', (c) => { c.rules = [{ id: 'x', source: 'a', target: { region: 'cn-bj', bucket: 'b' } }]; }, /source region/],
    ['unknown target region', (c) => { c.rules = [{ id: 'x', source: 'a', target: { region: 'eu', bucket: 'b' } }]; }, /not in "regions"/],
    ['source bound twice', (c) => { c.rules.push({ id: 'y', source: 'photos', target: { region: 'cn-sh', bucket: 'other' } }); }, /already bound by rule "photos"/],
    ['target bound twice', (c) => { c.rules.push({ id: 'y', source: 'other', target: { region: 'cn-sh', bucket: 'photos-replica' } }); }, /already bound/],
    ['duplicate id', (c) => { c.rules.push({ id: 'photos', source: 'o', target: { region: 'cn-sh', bucket: 'p' } }); }, /used twice/],
    ['bad shipper number', (c) => { (c as Record<string, unknown>).shipper = { concurrency: 0 }; }, /shipper\.concurrency/],
  ];
  for (const [name, mutate, re] of cases) {
    const c = base();
    mutate(c);
    t.throws(() => parseConfig(c), re, name);
  }
});

t.test('${VAR} references expand from the environment', async (t) => {
  t.same(expandEnv({ a: 'x-${S}-y', b: ['${S}'] }, { S: 'v' }), { a: 'x-v-y', b: ['v'] });
  t.throws(() => expandEnv({ regions: { r: { secretAccessKey: '${MISSING}' } } }, {}), /regions\.r\.secretAccessKey.*MISSING/);
});

t.test('config.example.json is a valid configuration once its variables are set', async (t) => {
  const { loadConfig } = await import('../../src/config/load.js');
  const file = new URL('../../config.example.json', import.meta.url).pathname;
  const config = loadConfig(file, { BJ_SECRET: 'a', SH_SECRET: 'b', FERRY_CLIENT_SECRET: 'c', FERRY_ADMIN_TOKEN: 'd' });
  t.equal(config.rules[0]!.id, 'photos');
  t.equal(config.admin?.token, 'd');
  t.throws(() => loadConfig(file, {}), /BJ_SECRET/);
});

t.test('the journal is a SQLite path or a PostgreSQL URL, never both, and a bad URL is named without its password', async (t) => {
  const withJournal = (journal: unknown) => ({ ...base(), journal });
  t.same(parseConfig(withJournal({ url: 'postgres://ferry:s3cret@db:5432/ferry' })).journal, { url: 'postgres://ferry:s3cret@db:5432/ferry' });
  t.equal(parseConfig(withJournal({ path: './j.db' })).shipper.leaseMs, 30_000);
  t.throws(() => parseConfig(withJournal({ path: './j.db', url: 'postgres://db/ferry' })), { code: 'CONFIG_INVALID', message: /"journal" must give either "path".*not both/ });
  t.throws(() => parseConfig(withJournal({})), { code: 'CONFIG_INVALID', message: /journal\.path/ });
  for (const url of ['mysql://u:s3cret@db/x', 'not a url s3cret', 'postgres://:s3cret@/x']) {
    const err = (() => { try { parseConfig(withJournal({ url })); } catch (e) { return e as Error; } return undefined; })();
    t.match(err, { code: 'CONFIG_INVALID', message: /journal\.url.*PostgreSQL URL/ }, url.replace('s3cret', '***'));
    t.notMatch(err?.message ?? '', /s3cret/, 'the message does not repeat the URL');
  }
});
