// Security: with known secrets (client secret, region secret, admin token), run Ferry at log level debug through
// traffic, refusals, source faults, a SIGKILL, the admin endpoints and every CLI command, then search everything
// printed or stored (logs, CLI output, error bodies, admin answers, exports, a sqlite3 dump of the journal) for
// them. Run under umask 000, so the files Ferry creates show the modes it asks for: 0600 (0700 for its folder).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { request } from 'undici';
import { rawConfig, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig, type FerryProcess } from '../helpers/ferry-process.js';
import { runCli } from '../helpers/ops-cli.js';
import { plainPut, send } from '../helpers/clients-raw.js';
import { RULE, secretLeaks, sleep, waitDrained } from '../helpers/faults-world.js';

const CLIENT = { accessKeyId: 'SECRETSTESTKEY', secretAccessKey: 'client-secret-7hQx2Lw9Zr4Pk8Vn3Md6' };
const REGION = { accessKeyId: 'REGIONTESTKEY', secretAccessKey: 'region-secret-4Tg8Kc1Xy7Bn5Wq2Jf9' };
const ADMIN_TOKEN = 'admin-token-9Rv3Hs6Ld2Qm8Cz5Np1';
const SECRETS = [CLIENT.secretAccessKey, REGION.secretAccessKey, ADMIN_TOKEN];

/** A change through a restarted gateway, so its WAL exists again. */
async function s3Again(ferry: FerryProcess): Promise<void> {
  await sdkClient(ferry.endpoint, CLIENT).send(new PutObjectCommand({ Bucket: 'photos', Key: 'after-restart.txt', Body: 'again' }));
}

t.test('no secret in any log line, error, journal row or CLI output; files 0600', async (t) => {
  const umask = process.umask(0);
  process.env.FERRY_S3RVER_KEYS = `${REGION.accessKeyId}:${REGION.secretAccessKey}`;
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  delete process.env.FERRY_S3RVER_KEYS;
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  const journal = join(regions.dir, 'data', 'journal', 'ferry.db');
  const raw = rawConfig(regions, { rules: [RULE], journal: { path: journal }, log: { level: 'debug' }, clients: [CLIENT],
    admin: { listen: '127.0.0.1:0', token: ADMIN_TOKEN }, shipper: { pollIntervalMs: 100, backoffBaseMs: 50, backoffMaxMs: 300 } }) as
    { regions: Record<string, { endpoint: string; accessKeyId: string; secretAccessKey: string }> };
  for (const r of Object.values(raw.regions)) Object.assign(r, REGION);
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const file = writeConfig(regions.dir, raw);
  const printed: string[] = [];
  let ferry: FerryProcess = await startFerryProcess(file);
  t.teardown(async () => { process.umask(umask); await ferry.kill(); await proxy.stop(); await regions.stop(); });
  const cli = async (...args: string[]) => {
    const r = await runCli(args);
    printed.push(`$ ferry ${args.join(' ')}`, r.stdout, r.stderr);
    return r;
  };
  const s3 = sdkClient(ferry.endpoint, CLIENT);

  // Traffic of every kind, aws-chunked and multipart included.
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a.txt', Body: 'a', Metadata: { owner: 'me' } }));
  await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'stream.bin', Body: Readable.from([Buffer.alloc(300_000, 1)]), ContentLength: 300_000 }));
  await new Upload({ client: s3, params: { Bucket: 'photos', Key: 'big.bin', Body: Buffer.alloc(6 * 1024 * 1024, 2) }, partSize: 5 * 1024 * 1024 }).done();
  await s3.send(new CopyObjectCommand({ Bucket: 'photos', Key: 'b.txt', CopySource: 'photos/a.txt' }));
  await s3.send(new PutObjectTaggingCommand({ Bucket: 'photos', Key: 'b.txt', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
  await s3.send(new DeleteObjectsCommand({ Bucket: 'photos', Delete: { Objects: [{ Key: 'a.txt' }] } }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'photos', Key: 'b.txt' }), { expiresIn: 60 });
  printed.push(await (await request(url)).body.text());
  // Refusals: the error documents Ferry writes.
  const port = Number(new URL(ferry.endpoint).port);
  for (const signer of [{ secret: 'a-wrong-secret' }, { accessKeyId: 'NOSUCHKEY' }, { date: new Date(Date.now() - 3_600_000) }]) {
    printed.push((await send(port, plainPut(port, '/photos/x', Buffer.from('x'), { accessKeyId: CLIENT.accessKeyId, secret: CLIENT.secretAccessKey, ...signer }))).body);
  }
  // Source faults: the gateway's and the shipper's error paths log.
  proxy.faults = { slowDownRate: 0.5, resetRate: 0.2 };
  for (let i = 0; i < 10; i++) await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: `f/${i}`, Body: 'f' })).catch(() => {});
  await sleep(1_000);
  proxy.faults = {};
  await waitDrained(journal, 30_000);

  // The admin endpoints, with and without the token.
  const adminLine = ferry.output.find((l) => l.includes('"msg":"admin listening"'))!;
  const admin = `http://${(JSON.parse(adminLine) as { address: string }).address}`;
  for (const path of ['/metrics', '/status', '/readyz']) {
    printed.push(await (await request(`${admin}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.text());
    printed.push(await (await request(`${admin}${path}`)).body.text());
  }

  // Every CLI command, with output to people and as JSON.
  const exported = join(regions.dir, 'export.jsonl');
  for (const args of [['status'], ['status', '--json'], ['journal', 'ls'], ['journal', 'ls', '--json'], ['journal', 'show', '1'],
    ['journal', 'show', '1', '--json'], ['journal', 'export'], ['journal', 'export', '--format', 'csv'], ['journal', 'export', '-o', exported],
    ['journal', 'verify'], ['journal', 'verify', '--json'], ['verify', '--rule', 'photos'], ['resync', '--rule', 'photos', '--dry-run'],
    ['rules', 'ls'], ['rules', 'ls', '--json'], ['rules', 'disable', 'photos'], ['rules', 'enable', 'photos'], ['journal', 'retry'],
    ['journal', 'prune', '--older-than', '1d', '--dry-run']]) {
    const r = await cli(args[0]!, ...args.slice(1), '--config', file);
    t.equal(r.code, 0, `ferry ${args.join(' ')}`);
  }
  printed.push(readFileSync(exported, 'utf8'));

  // A crash and a restart, then configurations that are refused (their errors must not echo values).
  await ferry.kill('SIGKILL');
  printed.push(...ferry.output);
  ferry = await startFerryProcess(file);
  await waitFor(() => ferry.output.some((l) => l.includes('admin listening')), 5_000, 'the restart');
  await s3Again(ferry);
  // While it runs (a clean stop removes the WAL): the files Ferry made, under umask 000.
  writeFileSync(join(regions.dir, 'umask-probe'), '');
  t.equal(statSync(join(regions.dir, 'umask-probe')).mode & 0o777, 0o666, 'umask is 000: the modes below are Ferry\'s own');
  const modes: Array<[string, number]> = [[journal, 0o600], [`${journal}-wal`, 0o600], [`${journal}-shm`, 0o600], [`${journal}.serve.pid`, 0o600],
    [exported, 0o600], [file, 0o600], [join(regions.dir, 'data', 'journal'), 0o700]];
  for (const [path, mode] of modes) t.equal(statSync(path).mode & 0o777, mode, `${path.slice(regions.dir.length + 1)} is ${mode.toString(8)}`);
  const bad = { ...raw, clients: [{ accessKeyId: CLIENT.accessKeyId, secretAccessKey: CLIENT.secretAccessKey, buckets: 'photos' }] };
  await cli('serve', '--config', writeConfig(regions.dir, bad, 'bad-clients.json'));
  await cli('serve', '--config', writeConfig(regions.dir, { ...raw, admin: { listen: '0.0.0.0:9', token: 7 } }, 'bad-admin.json'));
  await cli('serve', '--config', writeConfig(regions.dir, { ...raw, regions: { ...raw.regions, 'cn-sh': { ...REGION, endpoint: `ftp://${REGION.secretAccessKey}@x` } } }, 'bad-endpoint.json'));
  await ferry.kill();
  printed.push(...ferry.output);

  const dump = execFileSync('sqlite3', [journal, '.dump']).toString();
  t.match(dump, CLIENT.accessKeyId, 'the journal dump holds the rows (who changed what)');
  printed.push(dump);
  if (process.env.FERRY_DUMP_PRINTED) writeFileSync(process.env.FERRY_DUMP_PRINTED, printed.join("\n"));
  const text = printed.join('\n');
  t.ok(text.length > 50_000, `${Math.round(text.length / 1024)} KiB of output searched`);
  t.same(secretLeaks(text, SECRETS), [], 'no client secret, region secret or admin token anywhere');
  t.comment(`FIGURES secrets: searchedKiB=${Math.round(text.length / 1024)} leaks=0 cliCommands=22`);
});
