/** Names and limits of AWS Signature V4 (and V2) as S3 speaks them, in one place. */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Signature Version 4A (multi-region access points); recognised, not verified. */
export const ALGORITHM_V4A = 'AWS4-ECDSA-P256-SHA256';
export const SERVICE = 's3';
export const TERMINATOR = 'aws4_request';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
export const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export const Q_ALGORITHM = 'X-Amz-Algorithm';
export const Q_CREDENTIAL = 'X-Amz-Credential';
export const Q_DATE = 'X-Amz-Date';
export const Q_EXPIRES = 'X-Amz-Expires';
export const Q_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
export const Q_SIGNATURE = 'X-Amz-Signature';
export const Q_SECURITY_TOKEN = 'X-Amz-Security-Token';
export const Q_CONTENT_SHA256 = 'X-Amz-Content-Sha256';

/** Signature Version 2: the Authorization header's scheme and the query parameters of its presigned URLs. */
export const V2_SCHEME = 'AWS';
export const Q_V2_ACCESS_KEY = 'AWSAccessKeyId';
export const Q_V2_EXPIRES = 'Expires';
export const Q_V2_SIGNATURE = 'Signature';

/** The query parameters a SigV2 signature covers (its CanonicalizedResource); every other one is unsigned. */
export const V2_SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy',
  'requestPayment', 'restore', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions',
  'website', 'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'response-content-language', 'response-content-type', 'response-expires',
]);

/**
 * Sub-resources the AWS SDKs (botocore, aws-sdk-js) also sign with SigV2 although S3's list above lacks them;
 * a signature is accepted with them in the resource or without.
 */
export const V2_SDK_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'analytics', 'inventory', 'metrics', 'object-lock', 'replication', 'select', 'select-type',
]);

/**
 * The query parameters that carry a presigned URL's authentication, never forwarded upstream (the AWS SDK
 * hoists X-Amz-Content-Sha256 into presigned URLs too). `Expires` is an auth parameter of SigV2 URLs
 * only, but S3 has no other query parameter of that name, so it goes whichever version signed the URL.
 */
export const AUTH_QUERY_PARAMS: readonly string[] = [
  Q_ALGORITHM, Q_CREDENTIAL, Q_DATE, Q_EXPIRES, Q_SIGNED_HEADERS, Q_SIGNATURE, Q_SECURITY_TOKEN, Q_CONTENT_SHA256,
  Q_V2_ACCESS_KEY, Q_V2_EXPIRES, Q_V2_SIGNATURE,
];

/** S3 allows 15 minutes between the client's clock and ours. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL lives at most seven days. */
export const MAX_EXPIRES_SECONDS = 604800;
/** Clients send 64 KiB–8 MiB chunks; anything much larger is an attempt to make us buffer. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
