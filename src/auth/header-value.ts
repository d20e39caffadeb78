import type { RequestHeaders } from './types.js';

/** One header's value as a string; node only makes arrays of repeated headers it cannot join itself. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
