import t from 'tap';
import { readFileSync } from 'node:fs';
import { S3_ERRORS, S3Error, toS3Error } from '../../src/errors/s3-error.js';
import { FERRY_ERRORS } from '../../src/errors/ferry-error.js';
import { errorXml, parseErrorXml } from '../../src/s3/xml.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('every error code is documented in the README', async (t) => {
  for (const [code, [status]] of Object.entries(S3_ERRORS)) {
    t.match(readme, new RegExp(`\\| \`${code}\` \\| ${status} \\|`), `${code} (${status})`);
  }
  for (const code of Object.keys(FERRY_ERRORS)) t.match(readme, new RegExp(`\\| \`${code}\` \\|`), code);
});

t.test('the error document carries code, message and request id; unknown errors become InternalError', async (t) => {
  const xml = errorXml(new S3Error('SignatureDoesNotMatch', undefined, { AWSAccessKeyId: 'K<&>' }), '/b/k', 'RID');
  t.same(parseErrorXml(xml), { code: 'SignatureDoesNotMatch', message: S3_ERRORS.SignatureDoesNotMatch[1] });
  t.match(xml, /<RequestId>RID<\/RequestId>/);
  t.match(xml, /<AWSAccessKeyId>K&lt;&amp;&gt;<\/AWSAccessKeyId>/);
  const internal = toS3Error(new Error('secret detail'));
  t.equal(internal.code, 'InternalError');
  t.equal(internal.status, 500);
  t.notMatch(internal.message, /secret detail/);
});
