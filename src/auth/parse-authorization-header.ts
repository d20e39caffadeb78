import { S3Error } from '../errors/s3-error.js';
import { ALGORITHM, ALGORITHM_V4A } from './constants.js';
import { HEADER_SOURCE, parseCredential, type CredentialScope } from './parse-credential.js';
import { parseSignedHeaders } from './parse-signed-headers.js';

export interface SignatureParams {
  credential: CredentialScope;
  signedHeaders: readonly string[];
  signature: string;
}

/** SigV4a (multi-region, ECDSA) is a real S3 mechanism Ferry does not verify: said so, rather than refused as unknown. */
export function sigV4aNotImplemented(): S3Error {
  return new S3Error('NotImplemented', 'Ferry does not verify Signature Version 4A (AWS4-ECDSA-P256-SHA256); sign with AWS4-HMAC-SHA256.');
}

// The form SDKs, the CLI and most tools send, parts in order: one match, and the parts it names (a client's credential
// scope and signed headers repeat from one request to the next) are parsed once and kept, not split on every request.
const USUAL_FORM = /^AWS4-HMAC-SHA256 Credential=([^\s,]+), ?SignedHeaders=([^\s,]+), ?Signature=([^\s,]+)$/;
const SCOPE_CACHE_LIMIT = 256;
const scopes = new Map<string, Omit<SignatureParams, 'signature'>>();

/** The parsed Credential and SignedHeaders parts; what is kept is never changed by its readers (readonly). */
function scopeOf(credential: string, signedHeaders: string): Omit<SignatureParams, 'signature'> {
  const id = `${credential} ${signedHeaders}`;
  let parsed = scopes.get(id);
  if (parsed === undefined) {
    // Throws for a malformed part, as the general parse does: only what parsed is kept.
    parsed = { credential: parseCredential(credential, HEADER_SOURCE), signedHeaders: parseSignedHeaders(signedHeaders, HEADER_SOURCE) };
    if (scopes.size >= SCOPE_CACHE_LIMIT) scopes.delete(scopes.keys().next().value as string);
    scopes.set(id, parsed);
  }
  return parsed;
}

const malformed = (why: string) => new S3Error('AuthorizationHeaderMalformed', HEADER_SOURCE.prefix + why);

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (SigV2's `AWS …` is parseV2Header's).
 * Clients differ in the separators (`, `, `,`, or spaces alone) and some reorder the parts, so any run of
 * commas and whitespace separates them and order is free; each part must appear exactly once.
 */
export function parseAuthorizationHeader(header: string): SignatureParams {
  const value = header.trim();
  const usual = USUAL_FORM.exec(value);
  if (usual) return { ...scopeOf(usual[1]!, usual[2]!), signature: usual[3]! };
  const algorithm = value.split(/[\s,]/, 1)[0];
  if (algorithm === ALGORITHM_V4A) throw sigV4aNotImplemented();
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: algorithm.slice(0, 64) });
  }
  const parts = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length).split(/[\s,]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (eq < 0 || !['Credential', 'SignedHeaders', 'Signature'].includes(name)) {
      throw malformed(`unexpected component "${name.slice(0, 32)}".`);
    }
    if (parts.has(name)) throw malformed(`"${name}" appears more than once.`);
    parts.set(name, part.slice(eq + 1));
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  return {
    credential: parseCredential(credential, HEADER_SOURCE),
    signedHeaders: parseSignedHeaders(signedHeaders, HEADER_SOURCE),
    signature,
  };
}
