import t from 'tap';
import { collectOutcomes, leavesUncertain, needsResponseBody } from '../../src/gateway/outcomes.js';
import { planIntents } from '../../src/gateway/journal-plan.js';
import { RuleSet } from '../../src/rules/rule-set.js';

const up = (statusCode: number, headers: Record<string, string> = {}) => ({ statusCode, headers });

t.test('CompleteMultipartUpload answering 200 with an <Error> body is recorded as a failure', async (t) => {
  t.ok(needsResponseBody('CompleteMultipartUpload', 200));
  const body = Buffer.from('<?xml version="1.0"?><Error><Code>InternalError</Code><Message>boom</Message></Error>');
  const [o] = collectOutcomes('CompleteMultipartUpload', [7], ['k'], up(200, { 'x-amz-request-id': 'R' }), body, false, undefined).outcomes;
  t.same(o, { seq: 7, status: 200, requestId: 'R', versionId: undefined, applied: false, error: 'InternalError: boom' });
  const ok = Buffer.from('<CompleteMultipartUploadResult><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>');
  const [good] = collectOutcomes('CompleteMultipartUpload', [8], ['k'], up(200), ok, false, undefined).outcomes;
  t.equal(good!.applied, true);
  t.equal(good!.etag, '"abc-2"');
});

t.test('CopyObject: the ETag comes from the answer document, and a 200 with an <Error> is a failure', async (t) => {
  t.ok(needsResponseBody('CopyObject', 200));
  t.notOk(needsResponseBody('CopyObject', 404));
  const ok = Buffer.from('<CopyObjectResult><LastModified>2026-12-01T00:00:00.000Z</LastModified><ETag>"9e107d9d372bb6826bd81d3542a419d6"</ETag></CopyObjectResult>');
  t.equal(collectOutcomes('CopyObject', [1], ['k'], up(200), ok, false, undefined).outcomes[0]!.etag, '"9e107d9d372bb6826bd81d3542a419d6"');
  const bare = Buffer.from('<CopyObjectResult><ETag>9e107d9d372bb6826bd81d3542a419d6</ETag></CopyObjectResult>');
  t.equal(collectOutcomes('CopyObject', [2], ['k'], up(200), bare, false, undefined).outcomes[0]!.etag, '"9e107d9d372bb6826bd81d3542a419d6"',
    "RGW's bare ETag is quoted as S3 sends it");
  const late = Buffer.from('<Error><Code>InternalError</Code><Message>copy failed</Message></Error>');
  t.match(collectOutcomes('CopyObject', [3], ['k'], up(200), late, false, undefined).outcomes[0], { applied: false, error: 'InternalError: copy failed' });
  const empty = Buffer.from('<CompleteMultipartUploadResult><ETag></ETag></CompleteMultipartUploadResult>');
  t.equal(collectOutcomes('CompleteMultipartUpload', [4], ['k'], up(200), empty, false, undefined).outcomes[0]!.etag, undefined,
    'an empty ETag is no ETag');
});

t.test('DeleteObjects records each key by what the answer says of it', async (t) => {
  const body = Buffer.from('<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code></Error></DeleteResult>');
  const out = collectOutcomes('DeleteObjects', [1, 2], ['a', 'b'], up(200), body, false, undefined);
  t.same(out.outcomes.map((o) => [o.seq, o.applied, o.error]), [[1, true, undefined], [2, false, 'AccessDenied']]);
  t.same(out.uncertain, []);
  const quiet = collectOutcomes('DeleteObjects', [3], ['c'], up(200), Buffer.from('<DeleteResult></DeleteResult>'), true, undefined);
  t.equal(quiet.outcomes[0]!.applied, true, 'quiet mode lists only failures');
});

t.test('DeleteObjects: keys named with character references match the keys asked for', async (t) => {
  // s3rver escapes an apostrophe as &#x27;, Go's encoding/xml as &#39; and a tab as &#x9;.
  const keys = ["it's.txt", 'tab\there', 'a&b<c>"d"', 'cr\rhere', '😀 ünï'];
  const body = Buffer.from('<DeleteResult><Deleted><Key>it&#x27;s.txt</Key></Deleted><Deleted><Key>tab&#x9;here</Key></Deleted>' +
    '<Deleted><Key>a&amp;b&lt;c&gt;&quot;d&quot;</Key></Deleted><Deleted><Key>cr&#13;here</Key></Deleted>' +
    '<Deleted><Key>&#128512; &#xFC;n&#239;</Key></Deleted></DeleteResult>');
  const out = collectOutcomes('DeleteObjects', [1, 2, 3, 4, 5], keys, up(200), body, false, undefined);
  t.same(out.outcomes.map((o) => o.applied), [true, true, true, true, true]);
  t.same(out.uncertain, []);
});

t.test('DeleteObjects: a key the answer does not name, or an unreadable answer, is left for the shipper to settle', async (t) => {
  const body = Buffer.from('<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>');
  const out = collectOutcomes('DeleteObjects', [1, 2], ['a', 'b'], up(200), body, false, undefined);
  t.same(out.outcomes.map((o) => o.seq), [1]);
  t.same(out.uncertain, [2], 'not taken as refused');
  const unreadable = collectOutcomes('DeleteObjects', [3], ['c'], up(200), Buffer.from('<DeleteResult><Deleted>'), false, undefined);
  t.same([unreadable.outcomes, unreadable.uncertain], [[], [3]]);
});

t.test('which statuses leave a change uncertain', async (t) => {
  for (const s of [200, 204, 400, 403, 404, 409, 412, 501, 503]) t.notOk(leavesUncertain(s), `${s} is definite`);
  for (const s of [500, 502, 504]) t.ok(leavesUncertain(s), `${s} leaves it unknown`);
});

t.test('a plain change is applied only on 2xx, with ETag and size', async (t) => {
  const [ok] = collectOutcomes('PutObject', [1], ['k'], up(200, { etag: '"e"' }), undefined, false, 42).outcomes;
  t.same([ok!.applied, ok!.etag, ok!.size], [true, '"e"', 42]);
  const [no] = collectOutcomes('PutObject', [2], ['k'], up(403), undefined, false, 42).outcomes;
  t.same([no!.applied, no!.etag, no!.error], [false, undefined, 'HTTP 403']);
});

t.test('intents only for keys a rule covers, one per key', async (t) => {
  const rules = new RuleSet([{ id: 'r', source: 'b', target: { region: 'x', bucket: 't' }, enabled: false, prefix: 'p/' }]);
  const who = { accessKeyId: 'K', remoteAddr: '127.0.0.1' };
  const c = { operation: 'DeleteObjects', bucket: 'b', changesObject: true };
  t.same(planIntents(c, ['p/1', 'q/2', 'p/3'], rules, who).map((i) => i.key), ['p/1', 'p/3']);
  t.same(planIntents({ operation: 'GetObject', bucket: 'b', key: 'p/1', changesObject: false }, ['p/1'], rules, who), []);
  t.same(planIntents({ ...c, bucket: 'other' }, ['p/1'], rules, who), []);
});

t.test('an ETag is taken for the MD5 of the bytes only where S3 makes it one', async (t) => {
  const { objectState } = await import('../../src/shipper/object-state.js');
  const etag = '"9e107d9d372bb6826bd81d3542a419d6"';
  t.equal(objectState({ etag, 'content-length': '3' }).md5, '9e107d9d372bb6826bd81d3542a419d6');
  t.equal(objectState({ etag, 'x-amz-server-side-encryption': 'aws:kms' }).md5, undefined, 'SSE-KMS');
  t.equal(objectState({ etag, 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }).md5, undefined, 'SSE-C');
  t.equal(objectState({ etag: '"9e107d9d372bb6826bd81d3542a419d6-3"' }).md5, undefined, 'multipart');
  t.equal(objectState({ etag, 'x-amz-tagging-count': '0' }).tagCount, 0, 'a region that counts tags says zero');
  t.equal(objectState({ etag, 'x-amz-tagging-count': '3' }).tagCount, 3);
  t.equal(objectState({ etag }).tagCount, undefined, 'a region that does not count them leaves it unknown');
  t.equal(objectState({ etag, 'x-amz-tagging-count': 'x' }).tagCount, undefined, 'nor is a malformed count trusted');
});
