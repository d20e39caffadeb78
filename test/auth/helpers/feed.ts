import type { Transform } from 'node:stream';

export type Split = 'whole' | 'bytes' | 'random';

/** A small seeded PRNG (mulberry32), so a failing random split can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts body the way TCP might: whole, one byte at a time, or at random points (often tiny pieces). */
export function pieces(body: Buffer, split: Split, seed = 1): Buffer[] {
  if (split === 'whole') return [body];
  if (split === 'bytes') return Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
  const next = rng(seed);
  const out: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const r = next();
    const size = r < 0.3 ? 1 + Math.floor(next() * 4) : 1 + Math.floor(next() * 9000);
    out.push(body.subarray(at, at + size));
    at += size;
  }
  return out;
}

export interface FeedResult {
  output: Buffer;
  error?: Error & { code?: string };
}

/** Writes body into a decoder in pieces and collects what comes out, or the error it failed with. */
export function feed(stream: Transform, body: Buffer, split: Split, seed = 1): Promise<FeedResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      resolve({ output: Buffer.concat(out), error });
    };
    stream.on('data', (d: Buffer) => out.push(d));
    stream.on('error', settle);
    stream.on('end', () => settle());
    for (const piece of pieces(body, split, seed)) {
      if (stream.destroyed) break;
      stream.write(piece);
    }
    if (!stream.destroyed) stream.end();
  });
}
