import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import type { ClientCredential } from '../../config/types.js';
import { parseAmzDate } from '../../auth/amz-date.js';
import { ALGORITHM, SERVICE, TERMINATOR } from '../../auth/constants.js';
import { deriveSigningKey } from '../../auth/signing-key.js';
import { invalidField, missingField } from './post-errors.js';

/** Who signed a form, and which of its fields carried the signature. */
export interface PostSigner {
  accessKeyId: string;
  credential: ClientCredential;
  version: 2 | 4;
}

type Lookup = (accessKeyId: string) => ClientCredential | undefined;

// Fields that make a form signed; a form with none of them is anonymous.
const V4_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'];
const V2_FIELDS = ['awsaccesskeyid', 'signature'];

function required(fields: Map<string, string>, lower: string, spelled: string): string {
  const v = fields.get(lower);
  if (v === undefined) throw missingField(spelled);
  return v;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** S3 lists the policy (the string it signed) byte by byte in hex, so client authors can compare encodings. */
function mismatch(accessKeyId: string, policy: string, provided: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: policy,
    SignatureProvided: provided.slice(0, 128),
    StringToSignBytes: [...Buffer.from(policy, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  });
}

/** `AKID/yyyymmdd/region/s3/aws4_request`, refused with the InvalidArgument messages S3 gives a form. */
function parseFormCredential(value: string): { accessKeyId: string; date: string; region: string } {
  const fail = (message: string) => invalidField('X-Amz-Credential', value, message);
  const parts = value.split('/');
  if (parts.length !== 5) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (accessKeyId === '') throw fail('a non-empty Access Key (AKID) must be provided in the credential.');
  if (!/^\d{8}$/.test(date)) {
    throw fail(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (region === '') throw fail('a non-empty region must be provided in the credential.');
  if (service !== SERVICE) throw fail(`incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  if (terminator !== TERMINATOR) throw fail(`incorrect terminal "${terminator}". This endpoint uses "${TERMINATOR}".`);
  return { accessKeyId, date, region };
}

function verifyV4(fields: Map<string, string>, lookup: Lookup): PostSigner {
  const algorithm = required(fields, 'x-amz-algorithm', 'X-Amz-Algorithm');
  const credentialText = required(fields, 'x-amz-credential', 'X-Amz-Credential');
  const amzDate = required(fields, 'x-amz-date', 'X-Amz-Date');
  const provided = required(fields, 'x-amz-signature', 'X-Amz-Signature');
  const policy = required(fields, 'policy', 'Policy');
  if (algorithm !== ALGORITHM) {
    throw invalidField('X-Amz-Algorithm', algorithm, `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const scope = parseFormCredential(credentialText);
  // NOTE: S3 also refuses a credential for another region than the bucket's; Ferry answers for every region name.
  if (parseAmzDate(amzDate) === undefined) {
    throw invalidField('X-Amz-Date', amzDate, 'X-Amz-Date must be formatted via ISO8601 Long format');
  }
  const credential = lookup(scope.accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: scope.accessKeyId });
  // The string to sign is the base64 policy exactly as the form carries it, not the decoded document.
  const key = deriveSigningKey(credential.secretAccessKey, scope.date, scope.region, SERVICE);
  const expected = createHmac('sha256', key).update(policy, 'utf8').digest();
  const given = /^[0-9a-fA-F]{64}$/.test(provided) ? Buffer.from(provided, 'hex') : Buffer.alloc(0);
  if (!sameBytes(expected, given)) throw mismatch(scope.accessKeyId, policy, provided);
  return { accessKeyId: scope.accessKeyId, credential, version: 4 };
}

function verifyV2(fields: Map<string, string>, lookup: Lookup): PostSigner {
  const accessKeyId = required(fields, 'awsaccesskeyid', 'AWSAccessKeyId');
  const provided = required(fields, 'signature', 'Signature');
  const policy = required(fields, 'policy', 'Policy');
  const credential = lookup(accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  // Signature Version 2 signs the base64 policy with HMAC-SHA1 and sends the MAC in base64.
  const expected = createHmac('sha1', credential.secretAccessKey).update(policy, 'utf8').digest();
  if (!sameBytes(Buffer.from(expected.toString('base64')), Buffer.from(provided))) throw mismatch(accessKeyId, policy, provided);
  return { accessKeyId, credential, version: 2 };
}

/**
 * Pure: checks the signature of a form's policy, Signature Version 4 (`x-amz-*` fields, HMAC-SHA256 under the
 * derived signing key) or Version 2 (`AWSAccessKeyId` and `signature`, HMAC-SHA1), against `lookup`'s secret.
 * `fields` are keyed by lowercased name. Undefined for a form that carries neither: S3 takes it as anonymous.
 */
export function verifyPostSignature(fields: Map<string, string>, lookup: Lookup): PostSigner | undefined {
  if (V4_FIELDS.some((f) => fields.has(f))) return verifyV4(fields, lookup);
  if (V2_FIELDS.some((f) => fields.has(f))) return verifyV2(fields, lookup);
  return undefined;
}
