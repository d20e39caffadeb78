import type { Logger } from 'pino';
import type { Region } from '../region/region.js';
import { RegionError } from '../region/region-error.js';

/**
 * Aborts the multipart uploads a killed shipper left in a target bucket: those created before `before`. A copy that
 * fails aborts its own upload; only a process that died mid-copy leaves one, which would hold its parts (and their
 * storage) for ever. The target bucket is a replica, written by shippers alone, so an old upload there is one of
 * theirs. Regions without ListMultipartUploads (s3rver) are skipped.
 */
export async function abortAbandonedUploads(region: Region, bucket: string, before: Date, log: Logger): Promise<number> {
  let uploads;
  try {
    uploads = await region.listMultipartUploads(bucket);
  } catch (err) {
    if (!(err instanceof RegionError && err.kind === 'unreachable')) log.debug({ bucket, err: (err as Error).message }, 'no multipart listing');
    return 0;
  }
  let aborted = 0;
  for (const u of uploads) {
    if (u.initiated === undefined || u.initiated >= before) continue;
    try {
      await region.abortMultipart(bucket, u.key, u.uploadId);
      aborted++;
    } catch (err) {
      log.warn({ bucket, key: u.key, err: (err as Error).message }, 'an abandoned multipart upload could not be aborted');
    }
  }
  if (aborted) log.info({ bucket, aborted }, 'aborted multipart uploads left by an earlier shipper');
  return aborted;
}
