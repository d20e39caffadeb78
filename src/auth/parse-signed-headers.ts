import { S3Error } from '../errors/s3-error.js';
import type { CredentialSource } from './parse-credential.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Splits `host;range;x-amz-date` into lowercase header names, refusing empty or non-token names. */
export function parseSignedHeaders(value: string, source: CredentialSource): string[] {
  const names = value.split(';').map((n) => n.toLowerCase());
  if (names.some((n) => !TOKEN.test(n))) {
    throw new S3Error(source.code, `${source.prefix}SignedHeaders is not a ';'-separated list of header names.`);
  }
  return names;
}
