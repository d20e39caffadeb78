import { endianness } from 'node:os';

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, held as two 32-bit halves: plain numbers are fast
// in V8 where BigInt is not. Slicing-by-8: table k is an entry advanced by k zero bytes.
const POLY_HI = 0x9a6c9329;
const POLY_LO = 0xac4bc9b5;
const HI = new Int32Array(8 * 256);
const LO = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = (lo >>> 1) | ((hi & 1) << 31);
    hi >>>= 1;
    if (carry) { hi ^= POLY_HI; lo ^= POLY_LO; }
  }
  HI[n] = hi;
  LO[n] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const hi = HI[(k - 1) * 256 + n];
    const lo = LO[(k - 1) * 256 + n];
    const idx = lo & 0xff;
    HI[k * 256 + n] = HI[idx] ^ (hi >>> 8);
    LO[k * 256 + n] = LO[idx] ^ ((lo >>> 8) | (hi << 24));
  }
}
const LITTLE_ENDIAN = endianness() === 'LE';

/** Incremental CRC-64/NVME, the checksum behind x-amz-checksum-crc64nvme. */
export class Crc64Nvme {
  private hi = -1;
  private lo = -1;

  update(data: Uint8Array): void {
    let { hi, lo } = this;
    let i = 0;
    const n = data.length;
    const step = (b: number) => {
      const idx = (lo ^ b) & 0xff;
      lo = LO[idx] ^ ((lo >>> 8) | (hi << 24));
      hi = HI[idx] ^ (hi >>> 8);
    };
    const head = LITTLE_ENDIAN ? Math.min((4 - (data.byteOffset & 3)) & 3, n) : n;
    for (; i < head; i++) step(data[i]);
    const words = ((n - i) >>> 3) << 1;
    if (words > 0) {
      const w = new Int32Array(data.buffer, data.byteOffset + i, words);
      for (let j = 0; j < words; j += 2) {
        const a = lo ^ w[j];
        const b = hi ^ w[j + 1];
        const i7 = 1792 + (a & 0xff), i6 = 1536 + ((a >>> 8) & 0xff), i5 = 1280 + ((a >>> 16) & 0xff), i4 = 1024 + (a >>> 24);
        const i3 = 768 + (b & 0xff), i2 = 512 + ((b >>> 8) & 0xff), i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
        lo = LO[i7] ^ LO[i6] ^ LO[i5] ^ LO[i4] ^ LO[i3] ^ LO[i2] ^ LO[i1] ^ LO[i0];
        hi = HI[i7] ^ HI[i6] ^ HI[i5] ^ HI[i4] ^ HI[i3] ^ HI[i2] ^ HI[i1] ^ HI[i0];
      }
      i += words * 4;
    }
    for (; i < n; i++) step(data[i]);
    this.hi = hi;
    this.lo = lo;
  }

  /** The 8-byte big-endian digest. */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
