import { S3Error } from '../../errors/s3-error.js';

/** A form the policy refuses: S3 answers 403 AccessDenied with "Invalid according to Policy: ...". */
export function policyRefusal(why: string): S3Error {
  return new S3Error('AccessDenied', `Invalid according to Policy: ${why}`);
}

/** A policy document S3 cannot read: 400 InvalidPolicyDocument with "Invalid Policy: ...". */
export function invalidPolicy(why: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${why}`);
}

/** A required form field that is absent (or sent after the file, where S3 stops reading). */
export function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: '' });
}

/** A form field whose value S3 cannot use; `name` is spelled as S3 spells it in its answers. */
export function invalidField(name: string, value: string, message: string): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value });
}
