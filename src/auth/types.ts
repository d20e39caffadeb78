/** Node's lowercased IncomingHttpHeaders, or anything shaped like them. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** What authenticate needs of a request: the bytes as the client sent them, before any normalisation. */
export interface AuthRequest {
  method: string;
  /** The path exactly as received, percent-encoded, without the query. */
  rawPath: string;
  /** Everything after '?', as received; '' when there is none. */
  rawQuery: string;
  headers: RequestHeaders;
  /**
   * The bucket the Host header names in virtual-hosted style (`bucket.BASE`, see bucketFromHost); undefined
   * for path style. Only SigV2 needs it: its signature covers the bucket, which the path then lacks.
   */
  virtualHostBucket?: string;
}

/** How the request body is protected, from x-amz-content-sha256 (or UNSIGNED-PAYLOAD for presigned URLs). */
export type PayloadMode =
  | { kind: 'unsigned' }
  | { kind: 'sha256'; expected: string }
  | { kind: 'streaming-signed'; trailer: boolean }
  | { kind: 'streaming-unsigned-trailer' };

export interface AuthResult {
  /** Which AWS signature version the client signed with. */
  signatureVersion: 2 | 4;
  /** The request carried no signature: it is forwarded unsigned, for the source's ACLs and policies to judge. */
  anonymous?: boolean;
  accessKeyId: string;
  presigned: boolean;
  payload: PayloadMode;
  /** Derived key for the request's scope; aws-chunked bodies sign their chunks with it. Empty for SigV2. */
  signingKey: Buffer;
  /** `yyyymmdd/region/s3/aws4_request`, as the client put it in its credential; '' for SigV2. */
  scope: string;
  /** The request timestamp in ISO 8601 basic form (`20130524T000000Z`); '' for SigV2. */
  amzDate: string;
  /** The request's own signature, which the first chunk signature chains from; '' for SigV2. */
  seedSignature: string;
}
