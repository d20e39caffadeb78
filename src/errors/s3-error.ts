/**
 * The one catalogue of S3 errors Ferry answers with itself (everything else is the source's own answer).
 * Codes and statuses follow the S3 API reference; the message is what clients show their users.
 */
export const S3_ERRORS = {
  AccessDenied: [403, 'Access Denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  BadRequest: [400, 'An error occurred when parsing the HTTP request.'],
  BadDigest: [400, 'The Content-MD5 or checksum you specified did not match what we received.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed size'],
  IncompleteBody: [400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidPolicyDocument: [400, 'The content of the form does not meet the conditions specified in the policy document.'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidURI: [400, 'Couldn\'t parse the specified URI.'],
  KeyTooLongError: [400, 'Your key is too long.'],
  MalformedPOSTRequest: [400, 'The body of your POST request is not well-formed multipart/form-data.'],
  MalformedTrailerError: [400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.'],
  MalformedXML: [400, 'The XML you provided was not well-formed or did not validate against our published schema.'],
  MaxMessageLengthExceeded: [400, 'Your request was too big.'],
  MaxPostPreDataLengthExceeded: [400, 'Your POST request fields preceding the upload file were too large.'],
  MissingSecurityHeader: [400, 'Your request is missing a required header.'],
  NotImplemented: [501, 'A header or request you provided implies functionality that is not implemented.'],
  RequestHeaderSectionTooLarge: [400, 'Your request header section exceeds the maximum allowed size.'],
  RequestTimeTooSkewed: [403, 'The difference between the request time and the server\'s time is too large.'],
  ServiceUnavailable: [503, 'Reduce your request rate.'],
  SignatureDoesNotMatch: [403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'],
  XAmzContentSHA256Mismatch: [400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.'],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** An error Ferry answers with an S3 `<Error>` document; `detail` fields become extra XML elements. */
export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  readonly detail: Record<string, string>;

  constructor(code: S3ErrorCode, message?: string, detail: Record<string, string> = {}) {
    super(message ?? S3_ERRORS[code][1]);
    this.name = 'S3Error';
    this.code = code;
    this.status = S3_ERRORS[code][0];
    this.detail = detail;
  }
}

/** Anything that is not an S3Error becomes InternalError, so internals never leak to clients. */
export function toS3Error(err: unknown): S3Error {
  return err instanceof S3Error ? err : new S3Error('InternalError');
}
