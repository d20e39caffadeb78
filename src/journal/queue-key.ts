/** The identity of a queue entry (rule, bucket, key) as one string, for sets of keys in flight. */
export function queueKey(e: { ruleId: string; bucket: string; key: string }): string {
  return `${e.ruleId}\u0000${e.bucket}\u0000${e.key}`;
}
