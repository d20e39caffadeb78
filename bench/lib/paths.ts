import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json names Ferry (works from tmp/build too). */
function findRepo(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ferry') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root');
    dir = up;
  }
}

export const REPO = findRepo();
export const BENCH = join(REPO, 'bench');
/** Scratch space for servers, data and journals (gitignored). */
export const TMP = join(BENCH, 'tmp');
export const RESULTS = join(BENCH, 'results');
/** The compiled bench (this file's own build). */
export const BUILD = join(TMP, 'build', 'bench');
/**
 * The Ferry build under test: the bench compiles src/ next to itself (bench/tmp/build/src), so a run never
 * depends on whatever dist/ holds; FERRY_BENCH_DIST names another build for before/after comparisons.
 */
export const FERRY_DIST = process.env.FERRY_BENCH_DIST ?? join(TMP, 'build', 'src');
export const FERRY_CLI = join(FERRY_DIST, 'cli', 'main.js');
export const S3RVER_MAIN = join(TMP, 'build', 'src', 'regions', 's3rver-main.js');

/** A fresh scratch folder under bench/tmp. */
export function scratch(...parts: string[]): string {
  const dir = join(TMP, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
