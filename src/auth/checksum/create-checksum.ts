import { createHash } from 'node:crypto';
import { crc32 } from './crc32.js';
import { crc32c } from './crc32c.js';
import { Crc64Nvme } from './crc64nvme.js';

export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A running checksum over a body, whose digest is compared with an x-amz-checksum-* value. */
export interface Checksum {
  update(data: Uint8Array): void;
  /** Base64 of the big-endian digest, the form x-amz-checksum-* headers and trailers carry. */
  digest(): string;
}

function crcChecksum(fn: (data: Uint8Array, previous: number) => number): Checksum {
  let value = 0;
  return {
    update: (data) => { value = fn(data, value); },
    digest: () => {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(value >>> 0, 0);
      return out.toString('base64');
    },
  };
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'crc32': return crcChecksum(crc32);
    case 'crc32c': return crcChecksum(crc32c);
    case 'crc64nvme': {
      const crc = new Crc64Nvme();
      return { update: (d) => crc.update(d), digest: () => crc.digest().toString('base64') };
    }
    case 'sha1':
    case 'sha256': {
      const hash = createHash(algorithm);
      return { update: (d) => { hash.update(d); }, digest: () => hash.digest('base64') };
    }
  }
}

/** `x-amz-checksum-crc32` → `crc32`; undefined for a name that is not a checksum we know. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm | undefined {
  const prefix = 'x-amz-checksum-';
  if (!headerName.toLowerCase().startsWith(prefix)) return undefined;
  const alg = headerName.slice(prefix.length).toLowerCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) ? (alg as ChecksumAlgorithm) : undefined;
}
