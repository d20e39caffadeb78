import { S3Error, type S3ErrorCode } from '../errors/s3-error.js';
import { SERVICE, TERMINATOR } from './constants.js';

export interface CredentialScope {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
  /** `date/region/service/aws4_request`, the scope line of the string to sign. */
  scope: string;
}

/** Where a credential came from decides the error S3 answers with and how its message starts. */
export interface CredentialSource {
  code: Extract<S3ErrorCode, 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError'>;
  prefix: string;
}

export const HEADER_SOURCE: CredentialSource = {
  code: 'AuthorizationHeaderMalformed',
  prefix: 'The authorization header is malformed; ',
};
export const QUERY_SOURCE: CredentialSource = {
  code: 'AuthorizationQueryParametersError',
  prefix: 'Error parsing the X-Amz-Credential parameter; ',
};

/**
 * Parses `AKID/yyyymmdd/region/s3/aws4_request`. Any region is accepted: clients are configured with
 * whatever region name their operator chose, and the gateway answers for all of them.
 */
export function parseCredential(value: string, source: CredentialSource): CredentialScope {
  const fail = (why: string) => new S3Error(source.code, source.prefix + why);
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '') || !/^\d{8}$/.test(parts[1])) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  if (service !== SERVICE) throw fail(`incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  if (terminator !== TERMINATOR) throw fail(`incorrect terminal "${terminator}". This endpoint uses "${TERMINATOR}".`);
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/${terminator}` };
}

/** The credential's date must be the request's date: the signing key is derived from it. */
export function checkCredentialDate(credential: CredentialScope, amzDate: string, source: CredentialSource): void {
  if (credential.date !== amzDate.slice(0, 8)) {
    throw new S3Error(
      source.code,
      `${source.prefix}Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
}
