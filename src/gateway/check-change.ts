import { S3Error } from '../errors/s3-error.js';
import { copySourceKey, verdictOf, type Classified } from '../s3/classify.js';
import { dotSegments } from '../s3/key-segments.js';
import type { RuleSet } from '../rules/rule-set.js';

/**
 * Pure: refuses the keys a path-normalising backend would read as another object's. A key whose `..` segments climb
 * out of its bucket would land in another bucket, past its rule and the journal, for any credential; a credential
 * limited to some buckets may use no `.` or `..` segment at all. S3 keeps such keys literally, so they are rare.
 */
export function checkKeys(keys: readonly string[], scoped: boolean): void {
  for (const key of keys) {
    const dots = dotSegments(key);
    if (dots === 'climbs') throw new S3Error('InvalidArgument', 'Object key has ".." segments that climb out of its bucket', { ArgumentName: 'key' });
    if (dots === 'inside' && scoped) throw new S3Error('AccessDenied', 'A credential limited to some buckets may not use "." or ".." key segments');
  }
}

/**
 * Pure: what a request may not do before anything is forwarded. On a bucket a rule covers, a change Ferry cannot
 * journal and replicate (retention, legal hold, rename, any operation it does not recognise) is refused with
 * NotImplemented, so no change reaches the source that the journal never saw. Keys, copy sources included, go
 * through checkKeys.
 */
export function checkChange(c: Classified, rules: RuleSet, scoped: boolean, headers: Record<string, string | string[] | undefined>): void {
  if (c.bucket !== undefined && verdictOf(c.operation) === 'refuse' && rules.forBucket(c.bucket) !== undefined) {
    const what = c.operation === 'Unknown' ? 'a request Ferry does not recognise' : c.operation;
    throw new S3Error('NotImplemented', `${what} cannot be journaled and replicated; refused on replicated bucket ${c.bucket}`);
  }
  if (c.key !== undefined) checkKeys([c.key], scoped);
  const copied = copySourceKey(headers);
  if (copied !== undefined && scoped) checkKeys([copied], true);
}
