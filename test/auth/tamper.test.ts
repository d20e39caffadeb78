// Requests signed by real signers, each altered in one way, fail with the exact error S3 answers with.
import t, { type Test } from 'tap';
import { authenticate } from '../../src/auth/authenticate.js';
import type { AuthRequest } from '../../src/auth/types.js';
import type { ClientCredential } from '../../src/config/types.js';
import { CREDENTIAL, lookup, presignWithSmithy, signWithAws4, signWithSmithy, type RequestSpec } from './helpers/signers.js';

const date = new Date('2024-03-05T06:07:08Z');
const minutes = (n: number) => new Date(date.getTime() + n * 60_000);
const spec: RequestSpec = {
  method: 'PUT', bucket: 'bucket', key: 'dir/a b+c.txt', date, body: 'hello', expiresIn: 3600,
  query: [['list-type', '2'], ['prefix', 'a b']], headers: { 'x-amz-meta-color': 'blue' },
};

type Mutate = (r: AuthRequest) => AuthRequest;
interface Case { name: string; mutate?: Mutate; now?: Date; lookup?: (id: string) => ClientCredential | undefined; code: string | null; message?: RegExp }

const withHeaders = (extra: Record<string, string | undefined>): Mutate => (r) => ({ ...r, headers: { ...r.headers, ...extra } });
/** Sets (or with undefined removes) one raw query parameter, leaving the rest as they were. */
const withParam = (name: string, value: string | undefined): Mutate => (r) => {
  const parts = r.rawQuery.split('&').filter((p) => p.split('=')[0] !== name);
  if (value !== undefined) parts.push(`${name}=${value}`);
  return { ...r, rawQuery: parts.join('&') };
};
const dropHeader = (name: string): Mutate => (r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== name)) });
const otherSecret = () => ({ ...CREDENTIAL, secretAccessKey: CREDENTIAL.secretAccessKey + 'x' });

const common: Case[] = [
  { name: 'untouched', code: null },
  { name: 'wrong secret', lookup: otherSecret, code: 'SignatureDoesNotMatch' },
  { name: 'unknown access key', lookup: () => undefined, code: 'InvalidAccessKeyId' },
  { name: 'path changed', mutate: (r) => ({ ...r, rawPath: r.rawPath.replace('a%20b', 'a%20c') }), code: 'SignatureDoesNotMatch' },
  { name: 'path re-cased', mutate: (r) => ({ ...r, rawPath: r.rawPath.replace('dir', 'Dir') }), code: 'SignatureDoesNotMatch' },
  { name: 'path extended', mutate: (r) => ({ ...r, rawPath: r.rawPath + '/x' }), code: 'SignatureDoesNotMatch' },
  { name: 'query value changed', mutate: withParam('prefix', 'a%20c'), code: 'SignatureDoesNotMatch' },
  { name: 'query parameter added', mutate: withParam('delimiter', '%2F'), code: 'SignatureDoesNotMatch' },
  { name: 'query parameter removed', mutate: withParam('list-type', undefined), code: 'SignatureDoesNotMatch' },
  { name: 'method changed', mutate: (r) => ({ ...r, method: 'DELETE' }), code: 'SignatureDoesNotMatch' },
  { name: 'host changed', mutate: withHeaders({ host: 'other.test:9000' }), code: 'SignatureDoesNotMatch' },
  { name: 'unsigned x-amz-* header added', mutate: withHeaders({ 'x-amz-copy-source': '/other/key' }), code: 'AccessDenied' },
  { name: 'unsigned ordinary header added', mutate: withHeaders({ 'user-agent': 'x', 'x-forwarded-for': '1.2.3.4' }), code: null },
];

const headerCases: Case[] = [
  ...common,
  { name: 'signed header value changed', mutate: withHeaders({ 'x-amz-meta-color': 'red' }), code: 'SignatureDoesNotMatch' },
  { name: 'signed header removed', mutate: dropHeader('x-amz-meta-color'), code: 'SignatureDoesNotMatch' },
  { name: 'payload hash changed', mutate: withHeaders({ 'x-amz-content-sha256': 'a'.repeat(64) }), code: 'SignatureDoesNotMatch' },
  { name: 'payload declared unsigned', mutate: withHeaders({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), code: 'SignatureDoesNotMatch' },
  { name: 'x-amz-date moved a second', mutate: withHeaders({ 'x-amz-date': '20240305T060709Z' }), code: 'SignatureDoesNotMatch' },
  { name: 'x-amz-date moved a day', mutate: withHeaders({ 'x-amz-date': '20240306T060708Z' }), now: minutes(24 * 60), code: 'AuthorizationHeaderMalformed' },
  { name: 'signature changed', mutate: (r) => withHeaders({ authorization: String(r.headers.authorization).replace(/Signature=./, 'Signature=0') })(r), code: 'SignatureDoesNotMatch' },
  { name: 'clock 14 minutes ahead', now: minutes(14), code: null },
  { name: 'clock 14 minutes behind', now: minutes(-14), code: null },
  { name: 'clock 16 minutes ahead', now: minutes(16), code: 'RequestTimeTooSkewed' },
  { name: 'clock 16 minutes behind', now: minutes(-16), code: 'RequestTimeTooSkewed' },
  { name: 'presigned parameters added', mutate: withParam('X-Amz-Signature', 'abc'), code: 'InvalidArgument' },
  { name: 'authorization removed', mutate: dropHeader('authorization'), code: 'AccessDenied' },
];

const presignedCases: Case[] = [
  ...common,
  { name: 'signature changed', mutate: (r) => withParam('X-Amz-Signature', '0'.repeat(64))(r), code: 'SignatureDoesNotMatch' },
  { name: 'expiry extended', mutate: withParam('X-Amz-Expires', '7200'), code: 'SignatureDoesNotMatch' },
  { name: 'date moved', mutate: withParam('X-Amz-Date', '20240305T060709Z'), code: 'SignatureDoesNotMatch' },
  { name: 'used at its last second', now: minutes(60), code: null },
  { name: 'used a second late', now: new Date(minutes(60).getTime() + 1000), code: 'AccessDenied', message: /^Request has expired$/ },
  { name: 'used 14 minutes early', now: minutes(-14), code: null },
  { name: 'used 16 minutes early', now: minutes(-16), code: 'AccessDenied', message: /not valid yet/ },
  { name: 'expires beyond a week', mutate: withParam('X-Amz-Expires', '604801'), code: 'AuthorizationQueryParametersError' },
  { name: 'expires zero', mutate: withParam('X-Amz-Expires', '0'), code: 'AuthorizationQueryParametersError' },
  { name: 'expires not a number', mutate: withParam('X-Amz-Expires', '1e3'), code: 'AuthorizationQueryParametersError' },
  { name: 'credential missing', mutate: withParam('X-Amz-Credential', undefined), code: 'AuthorizationQueryParametersError' },
  { name: 'signed headers missing', mutate: withParam('X-Amz-SignedHeaders', undefined), code: 'AuthorizationQueryParametersError' },
  { name: 'signature given twice', mutate: (r) => ({ ...r, rawQuery: `${r.rawQuery}&X-Amz-Signature=${'0'.repeat(64)}` }), code: 'AuthorizationQueryParametersError' },
  { name: 'another algorithm', mutate: withParam('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'), code: 'AuthorizationQueryParametersError' },
  { name: 'date malformed', mutate: withParam('X-Amz-Date', '2024-03-05T06%3A07%3A08Z'), code: 'AuthorizationQueryParametersError' },
  { name: 'credential for another service', mutate: withParam('X-Amz-Credential', `${CREDENTIAL.accessKeyId}%2F20240305%2Fferry-west-1%2Fsts%2Faws4_request`), code: 'AuthorizationQueryParametersError' },
  { name: 'credential date differs', mutate: withParam('X-Amz-Credential', `${CREDENTIAL.accessKeyId}%2F20240304%2Fferry-west-1%2Fs3%2Faws4_request`), code: 'AuthorizationQueryParametersError' },
  { name: 'host not signed', mutate: withParam('X-Amz-SignedHeaders', 'x-amz-meta-color'), code: 'AuthorizationQueryParametersError' },
  { name: 'authorization header added', mutate: withHeaders({ authorization: 'AWS4-HMAC-SHA256 Credential=x' }), code: 'InvalidArgument' },
];

function check(t: Test, base: AuthRequest, cases: Case[]): void {
  for (const c of cases) {
    const req = c.mutate ? c.mutate(base) : base;
    const run = () => authenticate(req, c.lookup ?? lookup, c.now ?? minutes(1));
    if (c.code === null) t.doesNotThrow(run, c.name);
    else t.throws(run, c.message ? { code: c.code, message: c.message } : { code: c.code }, c.name);
  }
}

t.test('aws4, header', async (t) => check(t, signWithAws4(spec), headerCases));
t.test('smithy, header', async (t) => check(t, await signWithSmithy(spec), headerCases));
t.test('aws4, presigned', async (t) => check(t, signWithAws4({ ...spec, body: undefined }, true), presignedCases));
t.test('smithy presigner', async (t) => check(t, await presignWithSmithy({ ...spec, body: undefined }), presignedCases));
