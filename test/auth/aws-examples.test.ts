// Known-answer tests: AWS's published SigV4 examples for S3 (fixtures/auth/aws-examples.json).
import t from 'tap';
import { authenticate } from '../../src/auth/authenticate.js';
import { createBodyDecoder } from '../../src/auth/create-body-decoder.js';
import { awsExamples, exampleAuthorization, lookupExample } from './helpers/auth-fixtures.js';
import { feed, type Split } from './helpers/feed.js';

const now = new Date(awsExamples.now);

t.test('header-signed examples verify', async (t) => {
  for (const ex of awsExamples.header) {
    const headers = { ...ex.headers, authorization: exampleAuthorization(ex.signedHeaders, ex.signature) };
    const auth = authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers }, lookupExample, now);
    t.equal(auth.accessKeyId, awsExamples.accessKeyId, ex.name);
    t.equal(auth.scope, awsExamples.scope, `${ex.name}: scope`);
    t.equal(auth.seedSignature, ex.signature, `${ex.name}: seed signature`);
    t.equal(auth.presigned, false);
    if (ex.body !== undefined) {
      t.same(auth.payload, { kind: 'sha256', expected: ex.headers['x-amz-content-sha256'] });
      const decoder = createBodyDecoder(auth, headers)!;
      const { output, error } = await feed(decoder, Buffer.from(ex.body), 'bytes');
      t.equal(error, undefined, `${ex.name}: body verifies`);
      t.equal(output.toString(), ex.body);
      t.equal(decoder.decodedBytes, ex.body.length);
    }
  }
});

t.test('a changed signature of a published example fails', async (t) => {
  for (const ex of awsExamples.header) {
    const wrong = ex.signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const headers = { ...ex.headers, authorization: exampleAuthorization(ex.signedHeaders, wrong) };
    t.throws(() => authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers }, lookupExample, now),
      { code: 'SignatureDoesNotMatch' }, ex.name);
  }
});

t.test('the presigned URL example verifies', async (t) => {
  const ex = awsExamples.presigned;
  const auth = authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers: ex.headers }, lookupExample, now);
  t.equal(auth.presigned, true);
  t.equal(auth.seedSignature, ex.signature);
  t.same(auth.payload, { kind: 'unsigned' });
  t.equal(createBodyDecoder(auth, ex.headers), null, 'nothing to check on an unsigned body');
  const later = new Date(now.getTime() + 86400 * 1000);
  t.ok(authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers: ex.headers }, lookupExample, later),
    'still valid at the last second');
  t.throws(() => authenticate({ method: ex.method, rawPath: ex.rawPath, rawQuery: ex.rawQuery, headers: ex.headers },
    lookupExample, new Date(later.getTime() + 1000)), { code: 'AccessDenied', message: 'Request has expired' });
});

/** The body exactly as the examples document it, chunk signatures included. */
function documentedBody(ex: (typeof awsExamples.streaming)[number]): Buffer {
  const parts: Buffer[] = [];
  for (const c of ex.chunks) {
    parts.push(Buffer.from(`${c.size.toString(16)};chunk-signature=${c.signature}\r\n`));
    if (c.size > 0) parts.push(Buffer.alloc(c.size, 'a'), Buffer.from('\r\n'));
  }
  const trailer = ex.trailer ? ex.trailer.lines.map((l) => `${l}\r\n`).join('') + `x-amz-trailer-signature:${ex.trailer.signature}\r\n` : '';
  parts.push(Buffer.from(`${trailer}\r\n`));
  return Buffer.concat(parts);
}

t.test('the chunked upload examples verify, seed to trailer', async (t) => {
  for (const ex of awsExamples.streaming) {
    const headers = { ...ex.headers, authorization: exampleAuthorization(ex.signedHeaders, ex.seedSignature) };
    const auth = authenticate({ method: 'PUT', rawPath: ex.rawPath, rawQuery: '', headers }, lookupExample, now);
    t.same(auth.payload, { kind: 'streaming-signed', trailer: ex.trailer !== null }, ex.name);
    t.equal(auth.seedSignature, ex.seedSignature);
    const body = documentedBody(ex);
    for (const split of ['whole', 'bytes', 'random'] as Split[]) {
      const decoder = createBodyDecoder(auth, headers)!;
      const { output, error } = await feed(decoder, body, split, 7);
      t.equal(error, undefined, `${ex.name}, ${split}`);
      t.ok(output.equals(Buffer.alloc(66560, 'a')), `${ex.name}, ${split}: 66560 bytes of 'a'`);
      t.equal(decoder.decodedBytes, 66560);
    }
    // Each documented chunk signature is load-bearing: swapping in the next one fails the chain there.
    for (let i = 0; i < ex.chunks.length; i++) {
      const other = ex.chunks[(i + 1) % ex.chunks.length].signature;
      const bad = Buffer.from(body.toString('latin1').replace(ex.chunks[i].signature, other), 'latin1');
      const { output, error } = await feed(createBodyDecoder(auth, headers)!, bad, 'random', i);
      t.equal(error?.code, 'SignatureDoesNotMatch', `${ex.name}: chunk ${i} signature swapped`);
      t.ok(output.length < 66560, 'the complete body was never released');
    }
  }
});
