import t from 'tap';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { readBodyWindow } from '../../src/gateway/body-window.js';
import { S3Error } from '../../src/errors/s3-error.js';

const KiB = 1024;

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of r) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

function pieces(body: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) out.push(body.subarray(at, at + size));
  return out;
}

t.test('a body within the window comes back whole, as a Buffer', async (t) => {
  const body = randomBytes(100 * KiB);
  const got = await readBodyWindow(Readable.from(pieces(body, 16 * KiB)), 256 * KiB);
  t.ok(Buffer.isBuffer(got));
  t.same(got, body);
  t.same(await readBodyWindow(Readable.from([]), 256 * KiB), Buffer.alloc(0), 'an empty body is an empty Buffer');
});

t.test('a longer body comes back as a stream of every byte, in order', async (t) => {
  const body = randomBytes(1024 * KiB + 5);
  const got = await readBodyWindow(Readable.from(pieces(body, 16 * KiB)), 256 * KiB);
  t.notOk(Buffer.isBuffer(got));
  t.same(await readAll(got as Readable), body);
});

t.test('an error within the window rejects, before anything is returned', async (t) => {
  const src = new PassThrough();
  const pending = readBodyWindow(src, 256 * KiB);
  src.write(randomBytes(10 * KiB));
  src.destroy(new S3Error('SignatureDoesNotMatch'));
  await t.rejects(pending, { code: 'SignatureDoesNotMatch' });
});

t.test('an error past the window fails the returned stream', async (t) => {
  const src = new PassThrough();
  src.write(randomBytes(300 * KiB));
  const got = await readBodyWindow(src, 256 * KiB) as Readable;
  setImmediate(() => src.destroy(new S3Error('IncompleteBody')));
  await t.rejects(readAll(got), { code: 'IncompleteBody' });
});

t.test('the window reads no further than it needs to', async (t) => {
  let produced = 0;
  const src = new Readable({
    highWaterMark: 16 * KiB,
    read() { produced += 16 * KiB; this.push(Buffer.alloc(16 * KiB)); },
  });
  const got = await readBodyWindow(src, 64 * KiB) as Readable;
  t.ok(produced <= 64 * KiB + 2 * 16 * KiB, `produced ${produced} bytes before being read`);
  got.destroy();
});
