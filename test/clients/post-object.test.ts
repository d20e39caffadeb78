import t from 'tap';
import { journalDb } from '../helpers/journal-sql.js';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { BUCKET, REPLICA, randomFile, startClientWorld, type ClientWorld } from '../helpers/clients-world.js';
import { storedObject } from '../helpers/objects.js';
import { CLIENT_KEY, CLIENT_SECRET, md5, rawConfig, regionClient, sdkClient, startRegions, waitFor } from '../helpers/world.js';
import { writeConfig } from '../helpers/ferry-process.js';
import { MiB, resetHighWaterMark, sampleMemory, startPlainGateway } from '../helpers/clients-memory.js';
import { parseErrorXml, parseXml } from '../../src/s3/xml.js';

// Browser form uploads (S3 POST Object) from the clients that make them: @aws-sdk/s3-presigned-post, boto3's
// generate_presigned_post (SigV4 and SigV2), curl -F and fetch with FormData, through a gateway whose bucket is
// replicated. What is stored at the source, what ships to the target, and what the journal says are checked
// against the regions and the journal themselves.

const run = promisify(execFile);

type Presigned = Awaited<ReturnType<typeof createPresignedPost>>;

/** A form from @aws-sdk/s3-presigned-post for the gateway, as a web application hands it to a browser. */
function sdkForm(w: ClientWorld, Key: string, extra: { Conditions?: unknown[]; Fields?: Record<string, string>; Expires?: number } = {}): Promise<Presigned> {
  return createPresignedPost(sdkClient(w.endpoint), { Bucket: BUCKET, Key, Expires: 600, ...extra } as Parameters<typeof createPresignedPost>[1]);
}

/** POSTs a form as a browser would: fields in order, then the file last, with fetch and FormData. */
async function postForm(url: string, fields: Record<string, string>, file: Buffer, filename = 'upload.bin', type = 'application/octet-stream') {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  body.append('file', new Blob([file], { type }), filename);
  const res = await fetch(url, { method: 'POST', body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// boto3 signs the form and `requests` posts it (fields as data, the file with its name), as Python services do.
const BOTO3 = `
import json, sys, boto3, requests
from botocore.config import Config
a = json.load(sys.stdin)
s3 = boto3.client('s3', endpoint_url=a['endpoint'], region_name='cn-bj',
                  config=Config(signature_version=a['sig'], s3={'addressing_style': 'path'}))
post = s3.generate_presigned_post(a['bucket'], a['key'], Fields=a['fields'], Conditions=a['conditions'], ExpiresIn=600)
with open(a['file'], 'rb') as f:
    r = requests.post(post['url'], data=post['fields'], files={'file': (a['filename'], f)}, allow_redirects=False)
print(json.dumps({'status': r.status_code, 'headers': dict(r.headers), 'body': r.text, 'fields': sorted(post['fields'])}))
`;

interface Boto3Answer { status: number; headers: Record<string, string>; body: string; fields: string[] }

function boto3Post(w: ClientWorld, args: Record<string, unknown>): Promise<Boto3Answer> {
  return new Promise((resolve, reject) => {
    // Credentials reach boto3 through its environment, never a command line.
    const child = spawn('/usr/bin/python3', ['-c', BOTO3], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env,
      AWS_ACCESS_KEY_ID: CLIENT_KEY, AWS_SECRET_ACCESS_KEY: CLIENT_SECRET, AWS_EC2_METADATA_DISABLED: 'true', NO_PROXY: '*' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`python3 exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Boto3Answer);
    });
    child.stdin.end(JSON.stringify({ endpoint: w.endpoint, bucket: BUCKET, fields: {}, conditions: [], ...args }));
  });
}

/** curl -F: fields with --form-string (taken literally), the file from disk; headers and body of the answer. */
async function curlPost(url: string, fields: Record<string, string>, file: string, filename: string) {
  const args = ['-sS', '-D', '-', '-o', '-', '-X', 'POST', url];
  for (const [name, value] of Object.entries(fields)) args.push('--form-string', `${name}=${value}`);
  args.push('-F', `file=@${file};filename=${filename}`);
  const { stdout } = await run('curl', args, { maxBuffer: 16 * MiB, env: { ...process.env, NO_PROXY: '*' } });
  const split = stdout.lastIndexOf('\r\n\r\n');
  const head = stdout.slice(0, split);
  const status = Number(/HTTP\/1\.1 (\d{3})(?![\s\S]*HTTP\/1\.1 \d{3})/.exec(head)?.[1]);
  const headers = Object.fromEntries([...head.matchAll(/^([\w-]+): (.*)$/gm)].map((m) => [m[1]!.toLowerCase(), m[2]!.trim()]));
  return { status, headers, body: stdout.slice(split + 4) };
}

const errorOf = (text: string) => parseErrorXml(text);

/** Spool files some other process left in the system's temporary folder before these tests began: not theirs. */
const spooledBefore = new Set(readdirSync(tmpdir()));
/** The gateways' spooled form files in the system's temporary folder, made since these tests began. */
const spooled = () => readdirSync(tmpdir()).filter((name) => name.startsWith('ferry-post-') && !spooledBefore.has(name))
  .map((name) => join(tmpdir(), name));

t.test('browser form uploads through the gateway', async (t) => {
  const w = await startClientWorld();
  t.teardown(() => w.stop());
  const target = regionClient(w.regions.target);
  const replicated = (key: string, md5: string) => waitFor(async () => (await storedObject(target, REPLICA, key))?.md5 === md5,
    30_000, `${key} in the target region`);

  t.test('@aws-sdk/s3-presigned-post with fetch and FormData: 204, bytes and metadata at the source, journaled, replicated', async (t) => {
    const body = Buffer.from('hello from a browser form\n');
    const form = await sdkForm(w, 'sdk/${filename}', {
      Conditions: [['content-length-range', 1, MiB], ['starts-with', '$Content-Type', 'text/']],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-who': 'sdk', 'Cache-Control': 'max-age=60' },
    });
    t.equal(form.url, `${w.endpoint}/${BUCKET}`, 'the SDK posts to the bucket URL');
    const res = await postForm(form.url, form.fields, body, 'hello.txt', 'text/plain');
    t.equal(res.status, 204, res.text);
    t.match(res.headers.get('etag'), /^"[0-9a-f]{32}"$/);
    t.equal(res.headers.get('location'), `${w.endpoint}/${BUCKET}/sdk%2Fhello.txt`);
    const stored = await w.stored('sdk/hello.txt');
    t.equal(stored?.md5, md5(body), 'the bytes sent');
    t.equal(stored?.contentType, 'text/plain');
    t.same(stored?.metadata, { who: 'sdk' });
    const rows = await w.appliedRows('sdk/hello.txt');
    t.equal(rows.length, 1);
    t.equal(rows[0]!.operation, 'PostObject');
    const row = journalDb(w.ferry.journal).prepare('SELECT access_key_id, size, etag FROM changes WHERE key = ?').get('sdk/hello.txt') as
      { access_key_id: string; size: number; etag: string };
    t.same(row, { access_key_id: CLIENT_KEY, size: body.length, etag: res.headers.get('etag') }, 'principal, size and ETag journaled');
    await replicated('sdk/hello.txt', stored!.md5);
    t.same((await storedObject(target, REPLICA, 'sdk/hello.txt'))?.metadata, { who: 'sdk' }, 'metadata ships too');
  });

  t.test('boto3 generate_presigned_post (SigV4) with requests: success_action_status 201 answers a PostResponse', async (t) => {
    const file = randomFile(w.tmp, 'boto3.bin', 200 * 1024);
    const r = await boto3Post(w, { sig: 's3v4', key: 'boto3/${filename}', file: file.path, filename: 'photo.bin',
      fields: { success_action_status: '201' },
      conditions: [{ success_action_status: '201' }, ['content-length-range', 1, 10 * MiB]] });
    t.same(r.fields, ['key', 'policy', 'success_action_status', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']);
    t.equal(r.status, 201, r.body);
    const doc = parseXml(r.body) as { PostResponse: { Location: string; Bucket: string; Key: string; ETag: string } };
    t.equal(doc.PostResponse.Bucket, BUCKET);
    t.equal(doc.PostResponse.Key, 'boto3/photo.bin');
    t.equal(doc.PostResponse.ETag, `"${file.md5}"`);
    t.equal(doc.PostResponse.Location, `${w.endpoint}/${BUCKET}/boto3%2Fphoto.bin`);
    t.equal(r.headers.ETag ?? r.headers.etag, `"${file.md5}"`);
    t.equal((await w.stored('boto3/photo.bin'))?.md5, file.md5);
    t.ok((await w.appliedRows('boto3/photo.bin')).length, 'journaled');
    await replicated('boto3/photo.bin', file.md5);
  });

  t.test('boto3 with signature_version s3 (SigV2 form: AWSAccessKeyId, signature): success_action_status 200', async (t) => {
    const file = randomFile(w.tmp, 'v2.bin', 4096);
    const r = await boto3Post(w, { sig: 's3', key: 'v2/file.bin', file: file.path, filename: 'file.bin',
      fields: { success_action_status: '200', 'x-amz-meta-sig': 'two' },
      conditions: [{ success_action_status: '200' }, { 'x-amz-meta-sig': 'two' }] });
    t.same(r.fields, ['AWSAccessKeyId', 'key', 'policy', 'signature', 'success_action_status', 'x-amz-meta-sig']);
    t.equal(r.status, 200, r.body);
    t.equal(r.body, '');
    const stored = await w.stored('v2/file.bin');
    t.equal(stored?.md5, file.md5);
    t.same(stored?.metadata, { sig: 'two' });
    t.ok((await w.appliedRows('v2/file.bin')).length, 'journaled');
  });

  t.test('curl -F: success_action_redirect answers 303 with bucket, key and etag appended', async (t) => {
    const file = randomFile(w.tmp, 'curl.bin', 3 * MiB);
    const form = await sdkForm(w, 'curl/${filename}', { Fields: { success_action_redirect: 'http://app.example/uploaded?from=form' } });
    const r = await curlPost(form.url, form.fields, file.path, 'big file.bin');
    t.equal(r.status, 303, r.body);
    t.equal(r.headers.location, `http://app.example/uploaded?from=form&bucket=${BUCKET}&key=curl%2Fbig+file.bin&etag=%22${file.md5}%22`);
    t.equal((await w.stored('curl/big file.bin'))?.md5, file.md5);
    t.ok((await w.appliedRows('curl/big file.bin')).length, 'journaled');
  });

  t.test('an anonymous form (no signature) goes to the source unsigned, and is journaled as anonymous', async (t) => {
    const body = Buffer.from('anonymous bytes');
    const res = await postForm(`${w.endpoint}/${BUCKET}`, { key: 'anon/${filename}', 'Content-Type': 'text/plain' }, body, 'note.txt');
    t.equal(res.status, 204, res.text);
    t.equal((await w.stored('anon/note.txt'))?.md5, md5(body));
    t.ok((await w.appliedRows('anon/note.txt')).length, 'journaled');
    const row = journalDb(w.ferry.journal).prepare('SELECT access_key_id FROM changes WHERE key = ?').get('anon/note.txt') as { access_key_id: string };
    t.equal(row.access_key_id, 'anonymous');
  });

  t.test('a file sent as a text field (no filename, as a <textarea> sends it): ${filename} stays as sent', async (t) => {
    const f = await sdkForm(w, 'text/${filename}');
    const body = new FormData();
    for (const [name, value] of Object.entries(f.fields)) body.append(name, value);
    body.append('file', 'typed into a form');
    const res = await fetch(f.url, { method: 'POST', body });
    t.equal(res.status, 204, await res.text());
    t.equal((await w.stored('text/${filename}'))?.md5, md5('typed into a form'), 'S3 keeps the variable when there is no filename');
  });

  t.test('a client that leaves mid-file: the spool (mode 0600) is removed, nothing is stored or journaled', async (t) => {
    const f = await sdkForm(w, 'gone/away');
    const boundary = 'ferry-test-boundary';
    let head = '';
    for (const [name, value] of Object.entries(f.fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="away.bin"\r\n\r\n`;
    const socket = connect(w.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /${BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:${w.port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
      `Content-Length: ${head.length + 8 * MiB}\r\n\r\n${head}`);
    socket.write(Buffer.alloc(MiB, 7));
    await waitFor(() => spooled().length === 1, 5000, 'the file to be spooled');
    t.equal(statSync(spooled()[0]!).mode & 0o777, 0o600, 'only the gateway\'s user can read the spool');
    socket.destroy();
    await waitFor(() => spooled().length === 0, 5000, 'the spool to be removed');
    t.equal(await w.stored('gone/away'), null);
    t.same(w.journalRows('gone/away'), []);
  });

  t.test('refused forms answer S3\'s error and leave nothing at the source or in the journal', async (t) => {
    const rowsBefore = (journalDb(w.ferry.journal).prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n;
    const small = Buffer.from('x'.repeat(100));
    const refusals: Array<{ name: string; key: string; status: number; code: string; message?: RegExp;
      form: () => Promise<{ url: string; fields: Record<string, string> }> }> = [
      { name: 'expired policy', key: 'no/expired', status: 403, code: 'AccessDenied', message: /^Invalid according to Policy: Policy expired\.$/,
        form: () => sdkForm(w, 'no/expired', { Expires: -60 }) },
      { name: 'wrong signature', key: 'no/forged', status: 403, code: 'SignatureDoesNotMatch',
        form: async () => {
          const f = await sdkForm(w, 'no/forged');
          return { url: f.url, fields: { ...f.fields, 'X-Amz-Signature': '0'.repeat(64) } };
        } },
      { name: 'key outside starts-with', key: 'elsewhere/x', status: 403, code: 'AccessDenied',
        message: /Policy Condition failed: \["starts-with", "\$key", "allowed\/"\]/,
        form: async () => {
          const f = await sdkForm(w, 'allowed/${filename}');
          return { url: f.url, fields: { ...f.fields, key: 'elsewhere/x' } };
        } },
      { name: 'file too large for content-length-range', key: 'no/large', status: 400, code: 'EntityTooLarge',
        form: () => sdkForm(w, 'no/large', { Conditions: [['content-length-range', 0, 10]] }) },
      { name: 'extra field', key: 'no/extra', status: 403, code: 'AccessDenied', message: /Extra input fields: x-amz-meta-sneaky$/,
        form: async () => {
          const f = await sdkForm(w, 'no/extra');
          return { url: f.url, fields: { ...f.fields, 'x-amz-meta-sneaky': '1' } };
        } },
      { name: 'fields before the file over 20 KB', key: 'no/padded', status: 400, code: 'MaxPostPreDataLengthExceeded',
        form: async () => {
          const f = await sdkForm(w, 'no/padded', { Conditions: [['starts-with', '$x-ignore-pad', '']] });
          return { url: f.url, fields: { ...f.fields, 'x-ignore-pad': 'p'.repeat(21 * 1024) } };
        } },
      { name: 'unknown access key', key: 'no/stranger', status: 403, code: 'InvalidAccessKeyId',
        form: () => createPresignedPost(sdkClient(w.endpoint, { accessKeyId: 'STRANGER', secretAccessKey: 'x'.repeat(40) }),
          { Bucket: BUCKET, Key: 'no/stranger' }) },
    ];
    for (const r of refusals) {
      const f = await r.form();
      const res = await postForm(f.url, f.fields, small);
      t.equal(res.status, r.status, `${r.name}: status`);
      const err = errorOf(res.text);
      t.equal(err?.code, r.code, `${r.name}: ${res.text}`);
      if (r.message) t.match(err?.message, r.message, `${r.name}: message`);
      t.equal(await w.stored(r.key), null, `${r.name}: nothing at the source`);
      t.same(w.journalRows(r.key), [], `${r.name}: nothing journaled`);
    }
    const rowsAfter = (journalDb(w.ferry.journal).prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n;
    t.equal(rowsAfter, rowsBefore, 'the journal did not grow');
    t.same(spooled(), [], 'no spooled file is left behind');
  });
});

t.test('a 30 MB form upload streams through the gateway (a child process) with flat memory', async (t) => {
  const regions = await startRegions({ source: ['data'], target: [] });
  const raw = rawConfig(regions, { log: { level: 'warn' } });
  raw.shipper = { ...(raw.shipper as object), enabled: false };
  const gateway = await startPlainGateway(writeConfig(regions.dir, raw, 'gateway.json'));
  t.teardown(async () => { await gateway.kill(); await regions.stop(); });
  const form = await createPresignedPost(sdkClient(gateway.endpoint), { Bucket: 'data', Key: 'big/${filename}', Expires: 600,
    Conditions: [['content-length-range', 1, 200 * MiB]] });
  const mb = (bytes: number) => (bytes / MiB).toFixed(1);
  const upload = async (name: string, size: number) => {
    const file = randomFile(regions.dir, name, size);
    resetHighWaterMark(gateway.child.pid!);
    const memory = sampleMemory(gateway.child.pid!, 20);
    const before = memory.now();
    const r = await curlPost(form.url, form.fields, file.path, name);
    const after = memory.stop();
    t.equal(r.status, 204, `${name}: ${r.body}`);
    const stored = join(regions.dir, 'cn-bj', 'data', 'big', `${name}._S3rver_object`);
    t.equal(readFileSync(`${stored}.md5`, 'utf8'), file.md5, `${name}: the source stores the bytes sent`);
    t.ok(after.samples > 5, `${name}: memory was sampled throughout`);
    // Checked at once, before the gateway is stopped: the spool is gone by the time the answer is.
    t.same(spooled(), [], `${name}: the spool was removed before the answer`);
    t.comment(`${name}: gateway RSS ${mb(before.peakRss)} -> peak ${mb(after.peakRss)} MiB, VmHWM ${mb(after.hwm)} MiB`);
    return { before, after };
  };
  // Warm up the paths an upload takes (the parser, the spool, the upstream pool) with a small file first.
  await upload('warm.bin', 64 * 1024);
  const thirty = await upload('thirty.bin', 30 * MiB);
  // Streaming leaves spent chunks that V8 frees only when they add up to its trigger for a collection (some 30 MiB
  // of Buffer memory, measured on Node 20 and 24), and the allocator keeps what it freed, so RSS rises once by that
  // and its slack: 34 MiB on Node 20, 38 to 55 on Node 24 (ten runs). A file held whole and copied once, as
  // concatenating chunks does, would add twice its size on top of that; the 90 MiB upload below catches one held once.
  const growth = thirty.after.hwm - thirty.before.hwm;
  t.ok(growth < 72 * MiB, `RSS high-water mark grew ${mb(growth)} MiB for a 30 MiB file`);
  // And memory does not follow object size: three times the bytes, no more memory. Each upload's high-water mark is
  // its own (reset before it): what the gateway does between two uploads, such as V8 compiling the now warm path on
  // a background thread, is not the upload's. Held whole, the file would add 90 MiB, twice if copied.
  const ninety = await upload('ninety.bin', 90 * MiB);
  const more = ninety.after.hwm - ninety.before.peakRss;
  t.ok(more < 16 * MiB, `a 90 MiB file raised the RSS by ${mb(more)} MiB, to ${mb(ninety.after.hwm)} (the 30 MiB one to ${mb(thirty.after.hwm)})`);
});
