// Requests signed by real signers (aws4, @smithy/signature-v4 and the S3 presigner) authenticate, whatever
// the key and query look like (fixtures/auth/round-trip-cases.json).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { authenticate } from '../../src/auth/authenticate.js';
import type { AuthRequest } from '../../src/auth/types.js';
import { lookup, presignWithSmithy, signWithAws4, signWithSmithy, type RequestSpec } from './helpers/signers.js';

const cases: { keys: string[]; queries: Array<Array<[string, string | null]>> } = JSON.parse(
  readFileSync(new URL('../../fixtures/auth/round-trip-cases.json', import.meta.url), 'utf8'),
);
const date = new Date('2024-03-05T06:07:08Z');
const now = new Date(date.getTime() + 60_000);

const signers: Array<[string, (spec: RequestSpec) => AuthRequest | Promise<AuthRequest>, boolean]> = [
  ['aws4 header', (s) => signWithAws4(s), false],
  ['aws4 presigned', (s) => signWithAws4({ ...s, expiresIn: 3600 }, true), true],
  ['smithy header', signWithSmithy, false],
  ['smithy presigned', (s) => presignWithSmithy({ ...s, expiresIn: 3600 }), true],
];

for (const [name, sign, presigned] of signers) {
  t.test(name, async (t) => {
    for (const key of cases.keys) {
      for (const query of cases.queries) {
        for (const method of presigned ? ['GET', 'PUT'] : ['GET', 'PUT', 'DELETE']) {
          const body = method === 'PUT' && !presigned ? 'hello' : undefined;
          const req = await sign({ method, bucket: 'bucket', key, query, body, date, headers: { 'x-amz-meta-color': 'blue' } });
          const what = `${method} ${JSON.stringify(key)} ?${JSON.stringify(query)}`;
          try {
            const auth = authenticate(req, lookup, now);
            t.equal(auth.presigned, presigned, what);
          } catch (err) {
            t.fail(`${what}: ${(err as Error).message}`, { req, detail: (err as { detail?: unknown }).detail });
          }
        }
      }
    }
  });
}

t.test('bucket-level and service-level requests', async (t) => {
  for (const query of cases.queries) {
    const req = await signWithSmithy({ method: 'GET', bucket: 'bucket', query, date });
    t.ok(authenticate(req, lookup, now), `/bucket ?${JSON.stringify(query)}`);
    const root = signWithAws4({ method: 'GET', bucket: '', query, date });
    t.equal(root.rawPath, '/');
    t.ok(authenticate(root, lookup, now), `/ ?${JSON.stringify(query)}`);
  }
});

t.test('aws4 signs a bare "+" in a path as a space; that reading is accepted too', async (t) => {
  const signed = signWithAws4({ method: 'GET', bucket: 'bucket', key: 'a b', date });
  t.ok(authenticate({ ...signed, rawPath: '/bucket/a+b' }, lookup, now));
  t.throws(() => authenticate({ ...signed, rawPath: '/bucket/a%2Bb' }, lookup, now), { code: 'SignatureDoesNotMatch' },
    'an encoded plus is a plus');
});
