// s3rver's files on disk. s3rver writes an object as three files (bytes, MD5, metadata), each in place and none
// atomically: a process killed mid-write can leave a metadata file empty, and then every HEAD, GET and listing that
// reaches the key answers 500 until the key is written again. S3 never shows a write half done.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const METADATA_SUFFIX = '._S3rver_metadata.json';

/** Keys (as s3rver's paths under `root`, a bucket's folder) whose metadata file does not parse as JSON. */
export function unreadableKeys(root: string): string[] {
  return readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith(METADATA_SUFFIX)).filter((f) => {
    try {
      JSON.parse(readFileSync(join(root, f), 'utf8'));
      return false;
    } catch {
      return true;
    }
  }).map((f) => f.slice(0, -METADATA_SUFFIX.length));
}

/**
 * Takes away the files of every key whose write a killed s3rver left torn (call it while s3rver is down): the key
 * is then absent, as if the interrupted write had never begun, which is a state S3 can be in. Returns those keys.
 */
export function forgetTornWrites(root: string): string[] {
  const keys = unreadableKeys(root);
  for (const k of keys) {
    for (const suffix of [METADATA_SUFFIX, '._S3rver_object', '._S3rver_object.md5']) rmSync(join(root, k + suffix), { force: true });
  }
  return keys;
}
