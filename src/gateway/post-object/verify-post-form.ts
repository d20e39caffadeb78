import { S3Error } from '../../errors/s3-error.js';
import type { ClientCredential } from '../../config/types.js';
import { expandFilename, fieldMap, type FormField } from './form-fields.js';
import { ANONYMOUS } from '../../auth/anonymous.js';
import { MAX_OBJECT_SIZE, checkConditions, type SizeLimits } from './post-conditions.js';
import { missingField, policyRefusal } from './post-errors.js';
import { parsePostPolicy } from './post-policy.js';
import { verifyPostSignature } from './post-signature.js';
import { checkKeys } from '../check-change.js';

const MAX_KEY_BYTES = 1024;

/** A form as read up to its file part. */
export interface PostFormInput {
  /** The bucket the form was posted to (from the path, or the Host for virtual-hosted style). */
  bucket: string;
  /** The fields before the file, in the order sent, names as sent. */
  fields: readonly FormField[];
  /** The file part's filename parameter, when it had one. */
  filename?: string;
}

/** A form S3 would accept, as far as can be told before its file has been read. */
export interface VerifiedPostForm {
  /** The signer, or ANONYMOUS for a form without a signature. */
  accessKeyId: string;
  /** The form carries no signature: it goes to the source unsigned, for the bucket's own ACLs to judge. */
  anonymous: boolean;
  key: string;
  /** Field values by lowercased name, `${filename}` expanded. */
  values: Map<string, string>;
  /** What the file's length must be within (content-length-range). */
  size: SizeLimits;
}

function checkKey(key: string, scoped: boolean): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError');
  if (key.includes('\uFFFD')) throw new S3Error('InvalidArgument', 'Object key is not valid UTF-8');
  checkKeys([key], scoped);
}

/**
 * Pure: verifies a POST form the way S3 does, in S3's order: the key field, the policy's signature against the
 * client's secret from `lookup`, the policy document, its expiration at `now`, every condition and the rule that
 * each field has one; then the credential's bucket scope and S3's key limits. Throws the S3Error S3 would answer
 * with. The file's length is checked once known, with checkFileSize.
 * A form without a signature is anonymous, its policy unread (as S3 reads it): admitted when `anonymous` is
 * 'forward', refused with AccessDenied when it is 'refuse'.
 */
export function verifyPostForm(form: PostFormInput, lookup: (accessKeyId: string) => ClientCredential | undefined,
  now: Date, anonymous: 'forward' | 'refuse' = 'forward'): VerifiedPostForm {
  const fields = expandFilename(form.fields, form.filename);
  const values = fieldMap(fields);
  const key = values.get('key');
  if (key === undefined || key === '') throw missingField('key');
  const signer = verifyPostSignature(values, lookup);
  if (!signer) {
    if (anonymous === 'refuse') throw new S3Error('AccessDenied');
    checkKey(key, false);
    return { accessKeyId: ANONYMOUS, anonymous: true, key, values, size: { min: 0, max: MAX_OBJECT_SIZE } };
  }
  const policy = parsePostPolicy(values.get('policy')!);
  if (now.getTime() > policy.expiration.getTime()) throw policyRefusal('Policy expired.');
  const size = checkConditions(policy.conditions, fields, values, form.bucket);
  const scope = signer.credential.buckets;
  if (scope && !scope.includes(form.bucket)) throw new S3Error('AccessDenied');
  checkKey(key, scope !== undefined);
  return { accessKeyId: signer.accessKeyId, anonymous: false, key, values, size };
}
