import { headerValue } from '../header-value.js';
import type { RequestHeaders } from '../types.js';

/**
 * The bucket a virtual-hosted-style request names in its Host (`bucket.BASE`, any port), or undefined for
 * a path-style one; SigV2 signs it at the front of the resource although the path does not carry it.
 */
export function bucketFromHost(headers: RequestHeaders, virtualHostBase: string | undefined): string | undefined {
  if (!virtualHostBase) return undefined;
  const host = (headerValue(headers, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${virtualHostBase.toLowerCase()}`;
  return host.endsWith(suffix) && host.length > suffix.length ? host.slice(0, -suffix.length) : undefined;
}
