// The admin listener's web console in a real browser (Debian's Chromium driven by playwright-core), against real
// s3rver regions, a real Ferry and real S3 traffic: a rule that ships, one whose target refuses every write (a
// fault proxy in front of the real target), one disabled. What the page shows is checked against what was done.
import t, { type Test } from 'tap';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../../src/config/parse.js';
import { startFerry } from '../../src/runtime/ferry.js';
import { createLogger } from '../../src/util/logger.js';
import { visible } from '../../src/ops/format.js';
import { SampleRing } from '../../src/admin/console/sample-ring.js';
import { sharedFor } from '../../src/admin/console/shared-answer.js';
import { CLIENT_KEY, rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import type { FerryStatus } from '../../src/ops/status.js';

const TOKEN = `console-${randomBytes(12).toString('hex')}`;
// Markup, an entity, both quotes and a tab: a page that parsed keys as HTML would show something else.
const HOSTILE = 'a<b>&"c\'\tz';
// A key that runs script wherever it is parsed as HTML.
const SCRIPTED = '<img src=x onerror="window.pwned=1">.txt';
const SCREENSHOT = fileURLToPath(new URL('../../test-artifacts/console.png', import.meta.url));

const RULES = [
  { id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true },
  { id: 'docs', source: 'docs', target: { region: 'cn-gz', bucket: 'docs-replica' }, enabled: true },
  { id: 'logs', source: 'logs', target: { region: 'cn-sh', bucket: 'logs-replica' }, enabled: false },
];

t.test('the sample ring keeps the newest samples, oldest first', async (t) => {
  const ring = new SampleRing(3);
  t.same(ring.list(), []);
  for (let at = 1; at <= 5; at++) ring.push({ at, rules: {} });
  t.same(ring.list().map((s) => s.at), [3, 4, 5], 'bounded at its capacity');
  ring.push({ at: 6, rules: {} });
  t.same(ring.list().map((s) => s.at), [4, 5, 6]);
});

t.test('polls within a second share one read; a failed read is not kept', async (t) => {
  let now = 0;
  let reads = 0;
  let fail = false;
  const read = sharedFor(1_000, async () => {
    reads++;
    if (fail) throw new Error('journal away');
    return reads;
  }, () => now);
  t.equal(await read(), 1);
  now = 999;
  t.equal(await read(), 1, 'shared');
  now = 1_000;
  fail = true;
  await t.rejects(read(), /journal away/);
  fail = false;
  t.equal(await read(), 3, 'the failure was not kept');
});

t.test('web console', async (t) => {
  const started = Date.now();
  const regions = await startRegions({ source: ['photos', 'docs', 'logs'], target: ['photos-replica', 'docs-replica', 'logs-replica'] });
  t.teardown(() => regions.stop());
  // Region cn-gz is the real target server behind a proxy that can refuse its writes.
  const proxy = await new FaultProxy(regions.target.endpoint).start();
  t.teardown(() => proxy.stop());
  const raw = rawConfig(regions, {
    rules: RULES, admin: { listen: '127.0.0.1:0', token: TOKEN },
    shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 200, maxAttempts: 2 },
  }) as { regions: Record<string, unknown> };
  raw.regions['cn-gz'] = { endpoint: proxy.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const config = parseConfig(raw);
  const ferry = await startFerry(config, { gateway: true, shipper: true, log: createLogger('silent'), consoleSampleMs: 1_000 });
  t.teardown(() => ferry.stop());
  const base = `http://127.0.0.1:${ferry.admin!.port}`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const status = async () => (await (await fetch(`${base}/status`, { headers: auth })).json()) as FerryStatus;
  const rule = async (id: string) => (await status()).rules.find((r) => r.rule === id)!;

  // Traffic: through the gateway with the AWS SDK.
  const s3 = sdkClient(`http://127.0.0.1:${ferry.address!.port}`);
  proxy.faults = { slowDownRate: 1, methods: ['PUT'] };
  for (const Key of [HOSTILE, SCRIPTED, 'plain/1', 'plain/2', 'plain/3']) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key, Body: `body of ${Key}` }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'plain/3' }));
  await s3.send(new PutObjectCommand({ Bucket: 'logs', Key: 'l/1', Body: Buffer.alloc(100, 1) }));
  await s3.send(new PutObjectCommand({ Bucket: 'logs', Key: 'l/2', Body: Buffer.alloc(200, 2) }));
  await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'report.txt', Body: 'quarterly' }));
  await waitFor(async () => (await rule('docs')).failed === 1, 30_000, 'docs/report.txt to fail at its target');
  await waitFor(async () => (await rule('photos')).pending.operations === 0, 30_000, 'photos to drain');
  t.ok(proxy.injected >= 2, 'the target of docs refused the copies');

  await t.test('the token rule holds for the console\'s data routes', async (t) => {
    const page = await fetch(`${base}/`);
    t.equal(page.status, 200, 'the page itself holds no data and loads without the token');
    const html = await page.text();
    t.notMatch(html, /photos|report\.txt/, 'no rule or key in it');
    t.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'.*connect-src 'self'/);
    for (const path of ['/console/api/overview', '/console/api/journal', '/console/api/change?seq=1', '/console/api/chain']) {
      t.equal((await fetch(base + path)).status, 401, `${path} without the token`);
      t.equal((await fetch(base + path, { headers: { authorization: 'Bearer wrong' } })).status, 401, `${path} with a wrong token`);
    }
    const retry = (headers: Record<string, string>) => fetch(`${base}/console/api/retry`, { method: 'POST', headers, body: '{"rule":"docs"}' });
    t.equal((await retry({ 'content-type': 'application/json' })).status, 401, 'retry without the token');
    t.equal((await retry({ ...auth, 'content-type': 'text/plain' })).status, 403, 'a retry that is not JSON (a cross-site form could send it)');
    t.equal((await retry({ ...auth, 'content-type': 'application/json', origin: 'http://evil.example' })).status, 403, 'a retry from another origin');
    t.equal((await fetch(`${base}/console/api/change?seq=999999`, { headers: auth })).status, 404, 'a row that does not exist');
    t.equal((await fetch(`${base}/console/api/journal?state=nope`, { headers: auth })).status, 400, 'a state that does not exist');
  });

  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const watch = (page: Page) => {
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`); });
    return page;
  };

  await t.test('without the token the page asks for it, and its data calls get 401', async (t) => {
    const page = watch(await context.newPage());
    const overview = page.waitForResponse((r) => r.url() === `${base}/console/api/overview`);
    await page.goto(`${base}/`);
    t.equal((await overview).status(), 401, 'the page\'s own data call was refused');
    await page.locator('#login').waitFor({ state: 'visible' });
    t.ok(await page.locator('#main').isHidden(), 'no data shown');
    await page.fill('#login-token', 'not-the-token');
    await page.click('#login button');
    await waitFor(async () => (await page.textContent('#login-message')) === 'that token was refused', 10_000, 'the refusal');
    t.ok(await page.locator('#main').isHidden(), 'a wrong token shows nothing either');
    await page.fill('#login-token', TOKEN);
    await page.click('#login button');
    await page.locator('#rules tbody tr').first().waitFor();
    t.ok(await page.locator('#login').isHidden(), 'the right token opens the console');
    // Compared without printing: a failing assertion must not put the token in the test's output.
    t.notOk((await page.content()).includes(TOKEN), 'the token is nowhere in the page');
    await page.close();
  });

  const page = watch(await context.newPage());
  await page.goto(`${base}/?token=${encodeURIComponent(TOKEN)}`);
  await page.locator('#rules tbody tr[data-rule="logs"]').waitFor();

  await t.test('a token given as ?token= is kept for the tab and taken out of the address', async (t) => {
    t.equal(new URL(page.url()).search, '', 'the address no longer holds it');
    t.ok(await page.evaluate(() => sessionStorage.getItem('ferry.admin.token')) === TOKEN, 'the tab keeps it');
  });

  await t.test('each rule with its state and figures', async (t) => {
    const cells = async (id: string) => page.locator(`#rules tbody tr[data-rule="${id}"] td`).allTextContents();
    const heads = await page.locator('#rules thead th').allTextContents();
    const row = async (id: string) => Object.fromEntries((await cells(id)).map((c, i) => [heads[i], c]));
    const photos = await row('photos');
    t.match(photos, { rule: 'photos', source: 'photos', target: 'cn-sh/photos-replica', state: 'enabled', 'pending changes': '0',
      'pending keys': '0', 'pending bytes': '0 B', 'failed keys': '0', 'failed changes': '0', 'oldest pending': '-' });
    t.equal(photos['shipped last hour'], String((await rule('photos')).shipped.lastHour), 'shipped as the journal counts it');
    t.equal(photos['shipped last hour'], '6', 'five puts and a delete');
    t.not(photos['lag p99'], '-', 'a lag was measured');
    const logs = await row('logs');
    t.match(logs, { state: 'disabled', 'pending changes': '2', 'pending keys': '2', 'pending bytes': '300 B', 'failed keys': '0', 'shipped last hour': '0' });
    t.not(logs['oldest pending'], '-', 'its oldest change has an age');
    const docs = await row('docs');
    t.match(docs, { state: 'enabled', 'pending changes': '0', 'failed keys': '1', 'failed changes': '1', 'target': 'cn-gz/docs-replica' });
  });

  await t.test('charts of lag, pending and shipped from the sampled ring', async (t) => {
    await waitFor(async () => Number(await page.getAttribute('#chart-pending', 'data-samples')) >= 4, 20_000, 'samples');
    for (const id of ['chart-lag', 'chart-pending', 'chart-shipped']) {
      t.equal(await page.locator(`#${id} .uplot canvas`).count(), 1, `${id} is drawn by uPlot`);
      t.same((await page.locator(`#${id} .u-legend .u-series`).allTextContents()).map((l) => l.trim()), ['photos', 'docs', 'logs'],
        `${id} has a line per rule`);
    }
    t.match(await page.textContent('#chart-pending .latest'), /now: photos 0 · docs 0 · logs 2 — \d+ samples, one every 1\.00s/);
    t.match(await page.textContent('#chart-lag .latest'), /logs \d+(\.\d+)?s/, 'the held rule lags by the age of its oldest change');
    t.match(await page.textContent('#chart-shipped .latest'), /photos \d+ · docs 0 · logs 0/);
  });

  await t.test('the failed key with its error, and the retry that ships it', async (t) => {
    const group = page.locator('.failed-rule[data-rule="docs"]');
    await group.waitFor();
    t.equal(await page.locator('.failed-rule').count(), 1, 'only docs has failed keys');
    const cells = await group.locator('tbody tr td').allTextContents();
    t.equal(cells[0], 'docs');
    t.equal(cells[1], 'report.txt');
    t.match(cells[2], /SlowDown/, 'the target\'s error');
    t.equal(cells[3], '1');
    await waitFor(async () => proxy.injected >= 2, 5_000, 'the failed attempts');
    proxy.faults = {};
    await group.locator('button.retry').click();
    await waitFor(async () => (await page.textContent('#retry-result'))!.includes('queued again'), 10_000, 'the retry answer');
    t.equal(await page.textContent('#retry-result'), 'rule docs: 1 failed change(s) on 1 key(s) queued again');
    await waitFor(async () => (await page.textContent('#failed')) === 'no failed keys', 20_000, 'the failed list to empty');
    await waitFor(async () => (await rule('docs')).shipped.lastHour === 1, 20_000, 'the retried key to ship');
    const head = await regionClient(regions.target).send(new HeadObjectCommand({ Bucket: 'docs-replica', Key: 'report.txt' }));
    t.equal(head.ContentLength, 'quarterly'.length, 'the retried key reached its target');
    await waitFor(async () => (await page.locator('#rules tbody tr[data-rule="docs"] td').nth(7).textContent()) === '0', 10_000, 'the rule row');

    // A key that fails now shows up in the open page by itself.
    proxy.faults = { slowDownRate: 1, methods: ['PUT'] };
    await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: 'stuck.txt', Body: 'stuck' }));
    await waitFor(async () => (await group.locator('tbody tr td').nth(1).textContent({ timeout: 500 }).catch(() => null)) === 'stuck.txt',
      20_000, 'the page to show the new failure without a reload');
    t.equal(await page.locator('#rules tbody tr[data-rule="docs"] td').nth(7).textContent(), '1', 'and the rule row counts it');
  });

  const search = async (t: Test, fields: Record<string, string>) => {
    await page.fill('#search input[name=prefix]', fields.prefix ?? '');
    await page.fill('#search input[name=client]', fields.client ?? '');
    await page.fill('#search input[name=op]', fields.op ?? '');
    await page.selectOption('#search select[name=state]', fields.state ?? '');
    await page.selectOption('#search select[name=rule]', fields.rule ?? '');
    await page.fill('#search input[name=since]', fields.since ?? '');
    await page.fill('#search input[name=until]', fields.until ?? '');
    const answer = page.waitForResponse((r) => r.url().startsWith(`${base}/console/api/journal?`));
    await page.click('#search button');
    t.equal((await answer).status(), 200);
    await waitFor(async () => !(await page.textContent('#search-message'))!.startsWith('searching'), 10_000, 'the search');
    return page.locator('#results tbody tr');
  };

  await t.test('journal search, hostile keys rendered literally', async (t) => {
    let rows = await search(t, { prefix: 'a<b>' });
    t.equal(await rows.count(), 1, 'the key prefix finds the hostile key');
    const cells = await rows.first().locator('td').allTextContents();
    t.equal(cells[4], `photos/${visible(HOSTILE)}`, 'its key shown as written, the tab as \\x09');
    t.equal(cells[4], 'photos/a<b>&"c\'\\x09z');
    t.same([cells[2], cells[3], cells[5], cells[6]], ['photos', 'PutObject', CLIENT_KEY, 'shipped'], 'rule, operation, client, state');
    t.equal(await page.locator('#results b').count(), 0, 'no <b> element was made of it');

    rows = await search(t, { prefix: '<img' });
    t.equal(await rows.count(), 1);
    t.equal(await rows.first().locator('td').nth(4).textContent(), `photos/${SCRIPTED}`);
    t.equal(await page.locator('img').count(), 0, 'no <img> element was made of it');
    t.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'and no script of it ran');

    rows = await search(t, { client: CLIENT_KEY, op: 'DeleteObject' });
    t.same(await rows.locator('td:nth-child(5)').allTextContents(), ['photos/plain/3'], 'by client and operation');
    rows = await search(t, { state: 'held' });
    t.same(await rows.locator('td:nth-child(5)').allTextContents(), ['logs/l/2', 'logs/l/1'], 'by state, newest first');
    rows = await search(t, { rule: 'photos', state: 'shipped', since: '1h' });
    t.equal(await rows.count(), 6, 'by rule, state and time');
    rows = await search(t, { until: new Date(started - 60_000).toISOString().slice(0, 19) });
    t.equal(await rows.count(), 0, 'nothing before the test began');
    t.equal(await page.textContent('#search-message'), 'no journal rows match');
  });

  await t.test('a row\'s full history', async (t) => {
    const rows = await search(t, { prefix: 'a<b>' });
    await rows.first().click();
    await page.locator('#detail dd[data-field=key]').waitFor();
    t.equal(await page.textContent('#detail dd[data-field=key]'), visible(HOSTILE));
    t.equal(await page.textContent('#detail dd[data-field=state]'), 'shipped');
    t.equal(await page.textContent('#detail dd[data-field=operation]'), 'PutObject');
    t.match(await page.textContent('#detail dd[data-field=client]'), `${CLIENT_KEY} from 127.0.0.1`);
    t.match(await page.textContent('#detail dd[data-field="source answer"]'), /^200 at /);
    t.match(await page.textContent('#detail dd[data-field=shipped]'), /UTC \(lag .*\), target etag /);
    t.same(await page.locator('#detail table.history tbody td:nth-child(2)').allTextContents(), ['shipped']);

    const failedThenShipped = await search(t, { prefix: 'report' });
    await failedThenShipped.first().click();
    await waitFor(async () => (await page.textContent('#detail dd[data-field=key]')) === 'report.txt', 10_000, 'the docs row');
    const results = await page.locator('#detail table.history tbody td:nth-child(2)').allTextContents();
    t.same(results, ['error', 'error', 'shipped'], 'two refused attempts, then the retry shipped it');
    t.match(await page.locator('#detail table.history tbody tr').first().locator('td').nth(3).textContent(), /SlowDown/);
  });

  await t.test('the hash chain check', async (t) => {
    await page.click('#verify');
    await page.locator('#chain-verdict').waitFor();
    t.equal(await page.textContent('#chain-verdict'), 'journal chain OK');
    const report = await ferry.journal.verifyChain();
    t.match(await page.textContent('#chain'), `${report.rows} rows checked, ${report.verified} verified`);
    t.equal(report.rows, 10, 'every change of the test is in it');
  });

  await t.test('everything came from the admin origin, and the page ran cleanly', async (t) => {
    t.ok(requests.length > 10, `${requests.length} requests`);
    t.same(requests.filter((u) => new URL(u).origin !== base), [], 'no request left the admin origin');
    t.ok(requests.some((u) => u.endsWith('/console/assets/uplot.js')), 'uPlot served by Ferry');
    t.same(problems, [], 'no script error or policy violation');
    mkdirSync(fileURLToPath(new URL('../../test-artifacts/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    t.comment(`screenshot: ${SCREENSHOT}`);
  });
});
