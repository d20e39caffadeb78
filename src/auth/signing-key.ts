import { createHash, createHmac } from 'node:crypto';
import { TERMINATOR } from './constants.js';

const CACHE_LIMIT = 256;
// Keyed by a hash of the secret, never the secret itself, so the map holds nothing worth dumping.
const cache = new Map<string, Buffer>();

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The SigV4 signing key for one secret, day, region and service. Four HMACs per request add up at high
 * request rates and the inputs change once a day, so keys are cached; the cache is bounded and drops its
 * oldest entry when full.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${createHash('sha256').update(secret, 'utf8').digest('hex')}/${date}/${region}/${service}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), TERMINATOR);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, key);
  return key;
}
