import { createHash, createHmac } from 'node:crypto';
import { TERMINATOR } from './constants.js';

const CACHE_LIMIT = 256;
// Keyed by a hash of the secret, never the secret itself.
const cache = new Map<string, Buffer>();

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

// The hash that names a secret in the cache, remembered per secret string (strings the configuration holds
// anyway: the clients' secrets and the regions'), so a request hashes no secret again.
const secretIds = new Map<string, string>();

function secretId(secret: string): string {
  let id = secretIds.get(secret);
  if (id === undefined) {
    id = createHash('sha256').update(secret, 'utf8').digest('hex');
    if (secretIds.size >= CACHE_LIMIT) secretIds.delete(secretIds.keys().next().value as string);
    secretIds.set(secret, id);
  }
  return id;
}

/**
 * The SigV4 signing key for one secret, day, region and service. Four HMACs per request add up at high
 * request rates and the inputs change once a day, so keys are cached; the cache is bounded and drops its
 * oldest entry when full.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secretId(secret)}/${date}/${region}/${service}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), TERMINATOR);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, key);
  return key;
}
