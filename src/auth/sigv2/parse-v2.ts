import { S3Error } from '../../errors/s3-error.js';
import { Q_V2_ACCESS_KEY, Q_V2_EXPIRES, Q_V2_SIGNATURE, V2_SCHEME } from '../constants.js';

export interface V2Credentials {
  accessKeyId: string;
  /** Base64 of the HMAC-SHA1, as the client sent it. */
  signature: string;
}

export interface V2QueryParams extends V2Credentials {
  /** The Expires parameter exactly as sent: it takes the Date line of the string to sign. */
  expires: string;
  expiresAt: Date;
}

/** Whether an Authorization header uses the SigV2 scheme (`AWS AccessKeyId:Signature`). */
export function isV2Authorization(header: string): boolean {
  return header.startsWith(`${V2_SCHEME} `) || header.startsWith(`${V2_SCHEME}\t`);
}

/** Parses `AWS AccessKeyId:Signature`. */
export function parseV2Header(header: string): V2Credentials {
  const value = header.slice(V2_SCHEME.length).trim();
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new S3Error('InvalidArgument', 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature',
      { ArgumentName: 'Authorization', ArgumentValue: header.slice(0, 128) });
  }
  return { accessKeyId: value.slice(0, colon), signature: value.slice(colon + 1).trim() };
}

/** Reads AWSAccessKeyId, Signature and Expires from a SigV2 presigned URL's query (already decoded by parseQuery). */
export function parseV2Query(params: Map<string, string[]>): V2QueryParams {
  const one = (name: string): string => {
    const values = params.get(name);
    if (!values) {
      throw new S3Error('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
    }
    if (values.length > 1) throw new S3Error('InvalidArgument', `${name} must appear only once.`, { ArgumentName: name });
    return values[0];
  };
  const [accessKeyId, signature, expires] = [Q_V2_ACCESS_KEY, Q_V2_SIGNATURE, Q_V2_EXPIRES].map(one);
  if (!/^\d{1,15}$/.test(expires)) {
    throw new S3Error('AccessDenied', `Invalid date (should be seconds since epoch): ${expires.slice(0, 64)}`);
  }
  // A `+` the client left unescaped was read as a space by the query decoder; base64 never holds a space.
  return { accessKeyId, signature: signature.replaceAll(' ', '+'), expires, expiresAt: new Date(Number(expires) * 1000) };
}
