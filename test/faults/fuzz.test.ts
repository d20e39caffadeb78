// A bounded fuzz run: random mutations of valid signed requests (bytes flipped, headers dropped, doubled or
// filled with garbage, lengths that lie, bodies cut or padded, request lines mangled) sent on raw sockets. The
// process must not crash, must not fail a request with its own InternalError, and must not grow its memory.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rawConfig, regionClient, startRegions } from '../helpers/world.js';
import { startFerryProcess, writeConfig } from '../helpers/ferry-process.js';
import { plainPut, sign } from '../helpers/clients-raw.js';
import { runCli } from '../helpers/ops-cli.js';
import { RULE, memoryOf, seeded, sleep } from '../helpers/faults-world.js';
import { flawedChunkedPut, presigned, sendRaw, sha256, wire } from '../helpers/faults-requests.js';

const N = Number(process.env.FERRY_FUZZ_N ?? 3000);
const SECONDS = Number(process.env.FERRY_FUZZ_SECONDS ?? 120);
const seed = Number(process.env.FERRY_FAULT_SEED ?? Date.now() % 1_000_000_007);

type Mutation = (b: Buffer, r: () => number) => Buffer;
const at = (b: Buffer, r: () => number) => Math.floor(r() * b.length);
const headEnd = (b: Buffer) => Math.max(0, b.indexOf('\r\n\r\n'));
const lines = (b: Buffer) => b.subarray(0, headEnd(b)).toString('latin1').split('\r\n');
const withLines = (b: Buffer, ls: string[]) => Buffer.concat([Buffer.from(ls.join('\r\n'), 'latin1'), b.subarray(headEnd(b))]);
const junk = (r: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));

const MUTATIONS: Record<string, Mutation> = {
  flipByte: (b, r) => { const c = Buffer.from(b); c[at(c, r)] = Math.floor(r() * 256); return c; },
  flipHeaderByte: (b, r) => { const c = Buffer.from(b); c[Math.floor(r() * headEnd(c))] = Math.floor(r() * 256); return c; },
  dropHeader: (b, r) => { const ls = lines(b); if (ls.length < 2) return b; ls.splice(1 + Math.floor(r() * (ls.length - 1)), 1); return withLines(b, ls); },
  doubleHeader: (b, r) => { const ls = lines(b); if (ls.length < 2) return b; const i = 1 + Math.floor(r() * (ls.length - 1)); ls.splice(i, 0, ls[i]!); return withLines(b, ls); },
  garbageHeader: (b, r) => {
    const ls = lines(b);
    if (ls.length < 2) return b;
    const i = 1 + Math.floor(r() * (ls.length - 1));
    const value = r() < 0.2 ? 'x'.repeat(Math.floor(r() * 12_000)) : junk(r, 1 + Math.floor(r() * 80)).toString('latin1').replace(/[\r\n]/g, '');
    ls[i] = `${ls[i]!.split(':')[0]}: ${value}`;
    return withLines(b, ls);
  },
  lyingLength: (b, r) => {
    const ls = lines(b).map((l) => (/^content-length:/i.test(l)
      ? `content-length: ${[0, 1, 17, 65_536, 1e12, -5, '1e3', 'abc', ''][Math.floor(r() * 9)]}` : l));
    return withLines(b, ls);
  },
  truncate: (b, r) => b.subarray(0, at(b, r)),
  insertBytes: (b, r) => { const i = at(b, r); return Buffer.concat([b.subarray(0, i), junk(r, 1 + Math.floor(r() * 64)), b.subarray(i)]); },
  appendGarbage: (b, r) => Buffer.concat([b, junk(r, 1 + Math.floor(r() * 4096))]),
  requestLine: (b, r) => {
    const ls = lines(b);
    const [method, path] = ls[0]!.split(' ');
    const choices = [`${method} ${path}`, `BREW ${path} HTTP/1.1`, `${method} ${path}%ZZ HTTP/1.1`, `${method} /photos/${'%C0%AF'.repeat(5)} HTTP/1.1`,
      `${method} ${path}?${'a='.repeat(500)} HTTP/1.1`, `${method} http://evil.example${path} HTTP/1.1`, `${method} ${path} HTTP/1.0`, `${method} ${path}/../../x HTTP/1.1`];
    ls[0] = choices[Math.floor(r() * choices.length)]!;
    return withLines(b, ls);
  },
  chunkSize: (b, r) => {
    const text = b.toString('latin1');
    const sizes = [...text.matchAll(/\r\n([0-9a-f]+)(;|\r\n)/g)];
    if (sizes.length === 0) return b;
    const m = sizes[Math.floor(r() * sizes.length)]!;
    const replacement = ['0', 'ffffffff', '10001', 'g', `${m[1]}0`, ''][Math.floor(r() * 6)]!;
    return Buffer.from(text.slice(0, m.index! + 2) + replacement + text.slice(m.index! + 2 + m[1]!.length), 'latin1');
  },
};

t.test(`fuzz: ${N} mutated requests within ${SECONDS} s (seed ${seed})`, async (t) => {
  const random = seeded(seed);
  const regions = await startRegions({ source: ['photos'], target: ['photos-replica'] });
  const raw = rawConfig(regions, { rules: [RULE], log: { level: 'info' }, shipper: { pollIntervalMs: 200 } });
  const file = writeConfig(regions.dir, raw);
  const ferry = await startFerryProcess(file);
  t.teardown(async () => { await ferry.kill(); await regions.stop(); });
  const port = Number(new URL(ferry.endpoint).port);
  await regionClient(regions.source).send(new PutObjectCommand({ Bucket: 'photos', Key: 'fuzz/existing', Body: 'exists' }));
  const xml = Buffer.from('<Delete><Object><Key>fuzz/a</Key></Object><Object><Key>fuzz/b</Key></Object></Delete>');
  const complete = Buffer.from('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>');
  const seeds: Buffer[] = [
    wire(port, plainPut(port, '/photos/fuzz/plain', randomBytes(2000))),
    wire(port, plainPut(port, '/photos/fuzz/unsigned', randomBytes(3000), {}, 'UNSIGNED-PAYLOAD')),
    wire(port, await flawedChunkedPut(port, '/photos/fuzz/chunked', 'signed', randomBytes(150_000), {})),
    wire(port, await flawedChunkedPut(port, '/photos/fuzz/trailer', 'unsigned-trailer', randomBytes(100_000), {})),
    wire(port, sign(port, { method: 'GET', path: '/photos/fuzz/existing', headers: {} }, sha256(''))),
    wire(port, sign(port, { method: 'GET', path: '/photos?list-type=2&prefix=fuzz%2F', headers: {} }, sha256(''))),
    wire(port, sign(port, { method: 'DELETE', path: '/photos/fuzz/plain', headers: {} }, sha256(''))),
    wire(port, { ...sign(port, { method: 'POST', path: '/photos?delete', headers: { 'content-length': String(xml.length) } }, sha256(xml)), body: xml }),
    wire(port, { ...sign(port, { method: 'POST', path: '/photos/fuzz/mp?uploadId=nope', headers: { 'content-length': String(complete.length) } }, sha256(complete)), body: complete }),
    wire(port, presigned(port, '/photos/fuzz/existing', new Date(), 600)),
  ];
  const names = Object.keys(MUTATIONS);
  const statuses: Record<string, number> = {};
  let peakKb = 0;
  let baseline = 0;
  const sampler = setInterval(() => { void memoryOf(ferry.child.pid!).then((m) => { peakKb = Math.max(peakKb, m.rssKb); }, () => {}); }, 100);
  t.teardown(() => clearInterval(sampler));
  const deadline = Date.now() + SECONDS * 1000;
  let sent = 0;
  const worker = async () => {
    while (sent < N && Date.now() < deadline && ferry.child.exitCode === null) {
      const i = sent++;
      if (i === Math.floor(N / 3)) baseline = (await memoryOf(ferry.child.pid!)).rssKb;
      let bytes = seeds[Math.floor(random() * seeds.length)]!;
      const applied: string[] = [];
      for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
        const name = names[Math.floor(random() * names.length)]!;
        applied.push(name);
        bytes = MUTATIONS[name]!(bytes, random);
      }
      const reply = await sendRaw(port, bytes, 1_500, random() < 0.3);
      const key = String(reply.status ?? 'closed');
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await sleep(2_000);
  clearInterval(sampler);
  const end = (await memoryOf(ferry.child.pid!)).rssKb;

  t.equal(ferry.child.exitCode, null, `the process survived ${sent} mutated requests`);
  t.ok(sent >= Math.min(N, 1000), `${sent} requests sent`);
  const internal = ferry.output.filter((l) => l.includes('"msg":"internal error"'));
  t.same(internal.slice(0, 5), [], 'no request failed with Ferry\'s own InternalError');
  t.ok(end - baseline < 64 * 1024, `memory did not grow: ${Math.round(baseline / 1024)} MiB after ${Math.floor(N / 3)} requests, ${Math.round(end / 1024)} MiB at the end`);
  const get = await sendRaw(port, wire(port, sign(port, { method: 'GET', path: '/photos/fuzz/existing', headers: {} }, sha256(''))));
  t.equal(get.status, 200, 'and still serves');
  const chain = await runCli(['journal', 'verify', '--config', file]);
  t.equal(chain.code, 0, 'the journal chain verifies');
  t.comment(`answers: ${JSON.stringify(statuses)}`);
  t.comment(`FIGURES fuzz: seed=${seed} requests=${sent} peakRssMiB=${Math.round(peakKb / 1024)} baselineRssMiB=${Math.round(baseline / 1024)} ` +
    `endRssMiB=${Math.round(end / 1024)} internalErrors=${internal.length}`);
});
