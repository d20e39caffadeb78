import { V2_SDK_SUBRESOURCES, V2_SIGNED_SUBRESOURCES } from '../constants.js';
import { percentDecode } from '../percent-decode.js';
import { wireBytes } from './wire-bytes.js';

interface SubResource {
  name: string;
  /** The value as it appears in the query, still encoded; undefined for a bare `?acl`. */
  raw: string | undefined;
  /** Signed by the AWS SDKs but not on S3's own list. */
  sdkOnly: boolean;
}

/** How clients differ in writing the sub-resources; each combination is one candidate. */
interface Reading {
  plusIsSpace: boolean;
  bareWhenEmpty: boolean;
  withSdkOnly: boolean;
}

/** The signed sub-resources of a query, sorted by name as S3 sorts them (repeats keep their order). */
function subResourcesOf(rawQuery: string): SubResource[] {
  const found: SubResource[] = [];
  if (rawQuery === '') return found;
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq), false).toString('utf8');
    const sdkOnly = V2_SDK_SUBRESOURCES.has(name);
    if (sdkOnly || V2_SIGNED_SUBRESOURCES.has(name)) found.push({ name, raw: eq < 0 ? undefined : part.slice(eq + 1), sdkOnly });
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `?name&name=value…` with values decoded: S3 signs sub-resource values unencoded. */
function renderSubResources(subs: SubResource[], r: Reading): Buffer {
  const parts: Buffer[] = [];
  for (const s of subs) {
    if (s.sdkOnly && !r.withSdkOnly) continue;
    parts.push(Buffer.from(`${parts.length === 0 ? '?' : '&'}${s.name}`, 'utf8'));
    if (s.raw === undefined || (s.raw === '' && r.bareWhenEmpty)) continue;
    parts.push(Buffer.from('='), percentDecode(s.raw, r.plusIsSpace));
  }
  return Buffer.concat(parts);
}

/** Both values of an option when the query makes them differ, else only the usual one. */
const both = (differs: boolean, usual: boolean) => (differs ? [usual, !usual] : [usual]);

/**
 * The CanonicalizedResource forms worth trying, best first: `/bucket` when the Host names the bucket, the
 * path exactly as the client sent it (still percent-encoded), then the signed sub-resources. Clients differ
 * on three details, so each reading is tried: whether `?acl=` signs as `acl` (S3's own form) or as sent,
 * whether a `+` in a value means a plus (the usual reading) or a space, and whether the sub-resources only
 * the SDKs sign are in.
 */
export function canonicalResourceCandidates(rawPath: string, rawQuery: string, hostBucket?: string): Buffer[] {
  const path = wireBytes((hostBucket === undefined ? '' : `/${hostBucket}`) + (rawPath === '' ? '/' : rawPath));
  const subs = subResourcesOf(rawQuery);
  if (subs.length === 0) return [path];
  const seen = new Map<string, Buffer>();
  for (const withSdkOnly of both(subs.some((s) => s.sdkOnly), true)) {
    for (const plusIsSpace of both(subs.some((s) => s.raw?.includes('+')), false)) {
      for (const bareWhenEmpty of both(subs.some((s) => s.raw === ''), true)) {
        const resource = Buffer.concat([path, renderSubResources(subs, { plusIsSpace, bareWhenEmpty, withSdkOnly })]);
        seen.set(resource.toString('latin1'), resource);
      }
    }
  }
  return [...seen.values()];
}
