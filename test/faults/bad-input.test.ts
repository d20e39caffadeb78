// Bad input, table-driven (test/helpers/faults-bad-inputs.ts): each request gets its S3 error code and status,
// nothing reaches the source (counted at a fault proxy in front of it) and nothing is journaled; for body
// failures the intent is rejected and the source never receives the whole body, so S3 cannot store it. (s3rver
// is not atomic and keeps the partial bytes of an aborted upload; real S3 discards them. The table reports it.)
// The gateway keeps serving after each one.
import t from 'tap';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { md5, rawConfig, regionClient, startRegions, waitFor } from '../helpers/world.js';
import { storedObject } from '../helpers/objects.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { sign, send } from '../helpers/clients-raw.js';
import { RULE, memoryOf, withJournal } from '../helpers/faults-world.js';
import { sendRaw } from '../helpers/faults-requests.js';
import { BAD_INPUTS, VICTIM } from '../helpers/faults-bad-inputs.js';

const sha256 = (b: string) => createHash('sha256').update(b).digest('hex');

t.test('bad input is refused, never forwarded, never journaled', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const proxy = await new FaultProxy(regions.source.endpoint).start();
  // No shipper here: every request the proxy counts comes from the gateway.
  // Unsigned requests are refused here, so that one with no authentication at all is bad input too.
  const raw = rawConfig(regions, { rules: [RULE], log: { level: 'info' }, shipper: { enabled: false }, anonymous: 'refuse' }) as
    { regions: Record<string, { endpoint: string }>; journal: { path: string } };
  raw.regions['cn-bj']!.endpoint = proxy.endpoint;
  const ferry = await startFerryProcess(writeConfig(regions.dir, raw));
  t.teardown(async () => { await ferry.kill(); await proxy.stop(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  const direct = regionClient(regions.source);
  await direct.send(new PutObjectCommand({ Bucket: 'photos', Key: 'victim.bin', Body: 'the old bytes' }));
  const rows = () => withJournal(raw.journal.path, (db) => db.prepare('SELECT seq, state FROM changes ORDER BY seq').all() as Array<{ seq: number; state: string }>);
  const serving = async () => (await send(port, sign(port, { method: 'GET', path: VICTIM, headers: {} }, sha256('')))).status === 200;

  const table: string[] = [];
  for (const c of BAD_INPUTS) {
    await direct.send(new PutObjectCommand({ Bucket: 'photos', Key: 'victim.bin', Body: 'the old bytes' }));
    // s3rver answers a PUT before its bytes are on disk: wait until it serves them.
    await waitFor(async () => (await storedObject(direct, 'photos', 'victim.bin'))?.md5 === md5('the old bytes'), 5_000, 'the victim');
    const before = { forwarded: proxy.forwarded, rows: rows().length };
    const reply = await sendRaw(port, await c.build(port), 5_000, c.halfClose);
    // The outcome rides the next group commit: give an intent a moment to be settled.
    await waitFor(() => rows().slice(before.rows).every((r) => r.state !== 'intent'), 3_000, 'the outcome').catch(() => {});
    const after = rows().slice(before.rows);
    const forwarded = proxy.forwarded - before.forwarded;
    t.same({ status: reply.status, code: reply.code }, { status: c.status, code: c.code }, `${c.name}: ${c.status ?? 'no answer'} ${c.code ?? ''}`);
    const intact = (await storedObject(direct, 'photos', 'victim.bin'))?.md5 === md5('the old bytes');
    const cut = forwarded ? ` (body cut at ${proxy.bodies.at(-1)!.received} bytes)` : '';
    if (c.body) {
      const uploads = forwarded === 0 ? [] : proxy.bodies.slice(-forwarded);
      t.ok(forwarded <= 1 && uploads.every((b) => !b.ended), `${c.name}: at most one upload began, and the source never got its whole body`);
      t.ok(after.every((r) => r.state === 'rejected'), `${c.name}: its intent is recorded as rejected, not as a change`);
    } else {
      t.equal(forwarded, 0, `${c.name}: nothing forwarded`);
      t.same(after, [], `${c.name}: nothing journaled`);
      t.ok(intact, `${c.name}: the old object is intact`);
    }
    t.ok(await serving(), `${c.name}: the gateway still serves`);
    table.push(`${c.name} | ${c.status ?? 'no answer'} ${c.code ?? '(connection closed)'} | forwarded ${forwarded}${cut} | journal: ${after.map((r) => r.state).join(',') || 'nothing'}` +
      ` | old object ${intact ? 'intact' : 'overwritten by s3rver with the partial bytes'}`);
  }
  t.comment(`bad inputs:\n${table.join('\n')}`);
  t.comment(`FIGURES bad-input: cases=${BAD_INPUTS.length}`);
  t.equal(ferry.child.exitCode, null, 'the process is still running');
});

t.test('an endless body to an XML endpoint is cut off; buffering is bounded', async (t) => {
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, { rules: [RULE], shipper: { enabled: false } });
  const ferry = await startFerryProcess(writeConfig(regions.dir, raw));
  t.teardown(async () => { await ferry.kill(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  const before = await memoryOf(ferry.child.pid!);
  // Signed as UNSIGNED-PAYLOAD with a 10 GiB Content-Length, then bytes for as long as the gateway reads them.
  const req = sign(port, { method: 'POST', path: '/photos?delete', headers: { 'content-length': String(10 * 1024 ** 3) } }, 'UNSIGNED-PAYLOAD');
  const head = [`POST ${req.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  let sent = 0;
  const reply = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024, '<');
    let done = false;
    const finish = () => { if (!done) { done = true; socket.destroy(); resolve(Buffer.concat(chunks).toString()); } };
    socket.on('data', (b: Buffer) => { chunks.push(b); if (/\r\n\r\n[\s\S]*<\/Error>/.test(Buffer.concat(chunks).toString())) finish(); });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(`${head}\r\n\r\n`);
    const pump = () => {
      while (!done && sent < 512 * 1024 * 1024) {
        sent += chunk.length;
        if (!socket.write(chunk)) { socket.once('drain', pump); return; }
      }
      finish();
    };
    pump();
  });
  const after = await memoryOf(ferry.child.pid!);
  t.match(reply, /^HTTP\/1\.1 400/, 'answered 400');
  t.match(reply, /<Code>MaxMessageLengthExceeded<\/Code>/, 'MaxMessageLengthExceeded');
  t.ok(sent < 64 * 1024 * 1024, `the gateway stopped reading after ${Math.round(sent / 1024 / 1024)} MiB`);
  t.ok(after.peakKb - before.peakKb < 64 * 1024, `peak memory grew by ${Math.round((after.peakKb - before.peakKb) / 1024)} MiB only`);
  t.equal(ferry.child.exitCode, null, 'the process is still running');
});
