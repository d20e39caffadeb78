import { crc32Tables, crc32Update } from './crc32-tables.js';

const tables = crc32Tables(0x82f63b78);

/** CRC-32C (Castagnoli, as in x-amz-checksum-crc32c); node has no native one. */
export function crc32c(data: Uint8Array, previous = 0): number {
  return crc32Update(tables, previous, data);
}
