import zlib from 'node:zlib';
import { crc32Tables, crc32Update } from './crc32-tables.js';

let tables: Int32Array | undefined;

/** CRC-32 (IEEE, as in zip and x-amz-checksum-crc32). zlib's native one where node has it (20.15+). */
export function crc32(data: Uint8Array, previous = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data, previous) >>> 0;
  tables ??= crc32Tables(0xedb88320);
  return crc32Update(tables, previous, data);
}
