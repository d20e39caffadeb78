import { S3Error } from '../errors/s3-error.js';
import { parseAmzDate } from './amz-date.js';
import {
  ALGORITHM, ALGORITHM_V4A, MAX_EXPIRES_SECONDS, Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNATURE, Q_SIGNED_HEADERS,
} from './constants.js';
import { sigV4aNotImplemented, type SignatureParams } from './parse-authorization-header.js';
import { QUERY_SOURCE, parseCredential } from './parse-credential.js';
import { parseSignedHeaders } from './parse-signed-headers.js';

export interface PresignedParams extends SignatureParams {
  amzDate: string;
  date: Date;
  expiresSeconds: number;
}

const REQUIRED = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, Q_DATE, Q_SIGNED_HEADERS, Q_EXPIRES];
const queryError = (message: string) => new S3Error('AuthorizationQueryParametersError', message);

/** Reads and checks the X-Amz-* parameters of a presigned URL (already decoded by parseQuery). */
export function parsePresignedQuery(params: Map<string, string[]>): PresignedParams {
  const one = (name: string): string => {
    const values = params.get(name);
    if (!values) {
      throw queryError('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, ' +
        'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
    }
    if (values.length > 1) throw queryError(`${name} must appear only once.`);
    return values[0];
  };
  const [algorithm, credential, signature, amzDate, signedHeaders, expires] = REQUIRED.map(one);
  if (algorithm === ALGORITHM_V4A) throw sigV4aNotImplemented();
  if (algorithm !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}".`);
  const date = parseAmzDate(amzDate);
  if (!date) throw queryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'".');
  if (!/^\d{1,10}$/.test(expires)) throw queryError('X-Amz-Expires should be a number.');
  const expiresSeconds = Number(expires);
  if (expiresSeconds > MAX_EXPIRES_SECONDS) {
    throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}.`);
  }
  if (expiresSeconds < 1) throw queryError('X-Amz-Expires must be at least 1 second.');
  return {
    credential: parseCredential(credential, QUERY_SOURCE),
    signedHeaders: parseSignedHeaders(signedHeaders, QUERY_SOURCE),
    signature,
    amzDate,
    date,
    expiresSeconds,
  };
}
