import { headerValue } from '../header-value.js';
import type { AuthRequest } from '../types.js';
import { canonicalAmzHeaderCandidates } from './canonical-amz-headers.js';
import { canonicalResourceCandidates } from './canonical-resource.js';
import { trimWire, wireBytes } from './wire-bytes.js';

export interface V2Parts {
  method: string;
  contentMd5: string;
  contentType: string;
  /** The Date header, '' when x-amz-date is present, or Expires for a presigned URL. */
  date: string;
  /** From canonicalAmzHeaderCandidates: `name:value\n` lines. */
  amzHeaders: Buffer;
  /** From canonicalResourceCandidates. */
  resource: Buffer;
}

/** `METHOD\nContent-MD5\nContent-Type\nDate\n` + CanonicalizedAmzHeaders + CanonicalizedResource, as bytes. */
export function stringToSignV2(p: V2Parts): Buffer {
  return Buffer.concat([
    Buffer.from(`${p.method}\n`, 'latin1'), wireBytes(p.contentMd5), Buffer.from('\n'), wireBytes(p.contentType),
    Buffer.from('\n'), wireBytes(p.date), Buffer.from('\n'), p.amzHeaders, p.resource,
  ]);
}

/** Every string to sign a client may have signed for this request (see the candidate functions), best first. */
export function stringsToSignV2(req: AuthRequest, date: string): Buffer[] {
  const header = (name: string) => trimWire(headerValue(req.headers, name) ?? '');
  const base = { method: req.method, contentMd5: header('content-md5'), contentType: header('content-type'), date };
  const out: Buffer[] = [];
  for (const resource of canonicalResourceCandidates(req.rawPath, req.rawQuery, req.virtualHostBucket)) {
    for (const amzHeaders of canonicalAmzHeaderCandidates(req.headers)) out.push(stringToSignV2({ ...base, amzHeaders, resource }));
  }
  return out;
}
