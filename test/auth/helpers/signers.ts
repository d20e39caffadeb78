// Real SigV4 signers (aws4, and @smithy/signature-v4 as @aws-sdk/client-s3 uses it) producing AuthRequests
// exactly as a server would receive them on the wire.
import { Sha256 } from '@aws-crypto/sha256-js';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import aws4 from 'aws4';
import type { AuthRequest } from '../../../src/auth/types.js';

export const HOST = 'ferry.test:9000';
export const REGION = 'ferry-west-1';
export const CREDENTIAL = { accessKeyId: 'AKIDFERRYTEST0000001', secretAccessKey: 'ferry/secret+key=with/odd+chars' };
export const lookup = (id: string) => (id === CREDENTIAL.accessKeyId ? CREDENTIAL : undefined);

export interface RequestSpec {
  method: string;
  bucket: string;
  key?: string;
  /** Decoded query; null marks a bare name (`?uploads`). */
  query?: Array<[string, string | null]>;
  headers?: Record<string, string>;
  body?: string;
  date: Date;
  expiresIn?: number;
}

/** The SDK's label encoding: encodeURIComponent plus the sub-delimiters it leaves bare. */
export const escapeUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const wirePath = (spec: RequestSpec) =>
  `/${spec.bucket}${spec.key === undefined ? '' : '/' + spec.key.split('/').map(escapeUri).join('/')}`;
const wireQuery = (query: Array<[string, string | null]>) =>
  query.map(([k, v]) => (v === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(v)}`)).join('&');
const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function lowercase(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function split(method: string, path: string, headers: Record<string, unknown>): AuthRequest {
  const q = path.indexOf('?');
  return {
    method,
    rawPath: q < 0 ? path : path.slice(0, q),
    rawQuery: q < 0 ? '' : path.slice(q + 1),
    headers: lowercase(headers),
  };
}

export function signWithAws4(spec: RequestSpec, presign = false): AuthRequest {
  const query = [...(spec.query ?? [])];
  if (presign && spec.expiresIn) query.push(['X-Amz-Expires', String(spec.expiresIn)]);
  if (presign) query.push(['X-Amz-Date', amzDate(spec.date)]);
  const qs = wireQuery(query);
  const headers: Record<string, string> = { ...spec.headers };
  if (!presign) headers['X-Amz-Date'] = amzDate(spec.date);
  const opts = aws4.sign({
    host: HOST, method: spec.method, path: wirePath(spec) + (qs ? `?${qs}` : ''), service: 's3', region: REGION,
    headers, body: spec.body, signQuery: presign,
  }, CREDENTIAL);
  return split(spec.method, opts.path!, opts.headers as Record<string, unknown>);
}

const bareNames = (spec: RequestSpec) => new Set((spec.query ?? []).filter(([, v]) => v === null).map(([k]) => k));

function smithyRequest(spec: RequestSpec): HttpRequest {
  return new HttpRequest({
    method: spec.method, protocol: 'http:', hostname: 'ferry.test', port: 9000, path: wirePath(spec),
    // The SDK models a bare name (`?tagging`) as an empty string; smithy would drop a null from the signature.
    query: Object.fromEntries((spec.query ?? []).map(([k, v]) => [k, v ?? ''])),
    headers: { host: HOST, ...spec.headers }, body: spec.body,
  });
}

/** Bare names go on the wire bare, as many clients send them. */
function fromSmithy(req: HttpRequest, bare: ReadonlySet<string> = new Set()): AuthRequest {
  const query = Object.entries(req.query).map(([k, v]) => [k, bare.has(k) ? null : (v as string)] as [string, string | null]);
  const qs = wireQuery(query);
  return split(req.method, req.path + (qs ? `?${qs}` : ''), req.headers);
}

export async function signWithSmithy(spec: RequestSpec): Promise<AuthRequest> {
  const signer = new SignatureV4({
    service: 's3', region: REGION, credentials: CREDENTIAL, sha256: Sha256, uriEscapePath: false, applyChecksum: true,
  });
  return fromSmithy(await signer.sign(smithyRequest(spec), { signingDate: spec.date }) as HttpRequest, bareNames(spec));
}

export async function presignWithSmithy(spec: RequestSpec): Promise<AuthRequest> {
  const presigner = new S3RequestPresigner({ region: REGION, credentials: CREDENTIAL, sha256: Sha256 });
  const req = await presigner.presign(smithyRequest(spec), { signingDate: spec.date, expiresIn: spec.expiresIn ?? 900 });
  return fromSmithy(req as HttpRequest, bareNames(spec));
}
