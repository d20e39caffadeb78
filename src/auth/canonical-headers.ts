import type { RequestHeaders } from './types.js';

function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * The canonical headers block: one `name:value\n` line per signed header, in the order the client signed
 * them. Values are trimmed with inner whitespace runs collapsed; repeated headers are joined with ','.
 * A signed header the request lacks gets an empty value, so the signature simply fails to match.
 */
export function canonicalHeaders(headers: RequestHeaders, signedHeaders: readonly string[]): string {
  let block = '';
  for (const name of signedHeaders) {
    const value = headers[name];
    const text = value === undefined ? '' : Array.isArray(value) ? value.map(canonicalValue).join(',') : canonicalValue(value);
    block += `${name}:${text}\n`;
  }
  return block;
}
