import { S3Error } from '../../errors/s3-error.js';
import { isExempt, type FormField } from './form-fields.js';
import { policyRefusal } from './post-errors.js';
import type { MatchCondition, PolicyCondition } from './post-policy.js';

/** The largest object S3 takes in one upload (PutObject's limit; a POST is a PutObject). */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

/** Sizes the file may have: the intersection of every content-length-range, within S3's own limit. */
export interface SizeLimits {
  min: number;
  max: number;
}

// NOTE: S3 documents starts-with for only some fields (key, acl, Content-*, redirects, x-amz-meta-*); it is
// accepted on every field here, since S3's answer to it elsewhere is not recorded and refusing would break forms.
function matches(c: MatchCondition, value: string): boolean {
  if (c.kind === 'eq') return value === c.value;
  // S3 reads a Content-Type with commas as a list: every type in it must have the prefix.
  if (c.field === 'content-type') return value.split(',').every((v) => v.trim().startsWith(c.value));
  return value.startsWith(c.value);
}

/**
 * Pure: checks every condition against the form (field names lowercased, `${filename}` already expanded) and
 * the bucket the form was posted to, then that every field but the exempt ones has a condition. Field names
 * compare without case, values with it. Returns the file's allowed sizes, checked once its length is known.
 */
export function checkConditions(conditions: readonly PolicyCondition[], fields: readonly FormField[],
  values: Map<string, string>, bucket: string): SizeLimits {
  const limits: SizeLimits = { min: 0, max: MAX_OBJECT_SIZE };
  const covered = new Set<string>();
  for (const c of conditions) {
    if (c.kind === 'content-length-range') {
      if (Number.isNaN(c.min) || Number.isNaN(c.max)) throw policyRefusal(`Policy Condition failed: ${c.text}`);
      limits.min = Math.max(limits.min, c.min);
      limits.max = Math.min(limits.max, c.max);
      continue;
    }
    if (c.field !== undefined) covered.add(c.field);
    // The bucket is the one the form was posted to, whatever a `bucket` field of the form claims.
    // A condition on a field the form lacks fails, even `starts-with ""` (as S3 answers).
    const value = c.field === 'bucket' ? bucket : c.field === undefined ? undefined : values.get(c.field);
    if (value === undefined || !matches(c, value)) throw policyRefusal(`Policy Condition failed: ${c.text}`);
  }
  const extra: string[] = [];
  for (const [name] of fields) {
    const lower = name.toLowerCase();
    if (!isExempt(lower) && !covered.has(lower) && !extra.includes(name)) extra.push(name);
  }
  if (extra.length > 0) throw policyRefusal(`Extra input fields: ${extra.join(', ')}`);
  return limits;
}

/** Pure: refuses a file whose length is outside the limits, with the sizes S3 reports. */
export function checkFileSize(limits: SizeLimits, size: number): void {
  if (size > limits.max) {
    throw new S3Error('EntityTooLarge', undefined, { ProposedSize: String(size), MaxSizeAllowed: String(limits.max) });
  }
  if (size < limits.min) {
    throw new S3Error('EntityTooSmall', undefined, { ProposedSize: String(size), MinSizeAllowed: String(limits.min) });
  }
}
