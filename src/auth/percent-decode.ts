function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/**
 * Decodes `%XX` escapes to raw bytes. Works on bytes rather than through decodeURIComponent so that escapes
 * of invalid UTF-8 survive a decode/encode round trip unchanged. A `%` not followed by two hex digits is
 * kept literally, as lenient servers do. In query strings `+` means a space (form encoding, as S3 reads it).
 */
export function percentDecode(value: string, plusIsSpace: boolean): Buffer {
  const src = Buffer.from(value, 'utf8');
  if (!value.includes('%') && !(plusIsSpace && value.includes('+'))) return src;
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b === 0x2b && plusIsSpace ? 0x20 : b;
  }
  return out.subarray(0, n);
}
