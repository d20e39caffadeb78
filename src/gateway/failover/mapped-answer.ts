import type { Dispatcher } from 'undici';
import type { Classified } from '../../s3/classify.js';
import { readBounded } from '../../util/read-bounded.js';
import { discard } from '../../s3/s3-client.js';
import { renameBucketInXml } from './rename-bucket.js';

const DOCUMENT_LIMIT = 8 * 1024 * 1024;

/** Pure: whether an answer served by another bucket is a document naming that bucket (never an object's bytes). */
export function namesBucket(c: Classified, method: string, up: Pick<Dispatcher.ResponseData, 'statusCode' | 'headers'>): boolean {
  if (method === 'HEAD' || up.statusCode === 204 || up.statusCode === 304) return false;
  if (up.statusCode >= 300) return true;
  if (c.operation === 'GetObject') return false;
  return String(up.headers['content-type'] ?? '').includes('xml');
}

/**
 * The body of an answer the `served` bucket gave for the client's bucket, read and renamed when it is a document
 * that names the bucket (a listing, an upload's result, an error); undefined when the body streams as it is.
 */
export async function renamedDocument(c: Classified, method: string, up: Dispatcher.ResponseData, served: string, client: string): Promise<Buffer | undefined> {
  if (served === client || !namesBucket(c, method, up)) return undefined;
  const doc = await readBounded(up.body, DOCUMENT_LIMIT).catch((err: unknown) => { discard(up.body); throw err; });
  return Buffer.from(renameBucketInXml(doc.toString('utf8'), served, client));
}
