import type { ChangeFilter } from '../query.js';

/**
 * Pure: the WHERE clause (and its parameters) for a filter, shared by the SQL stores; `heldRules` are the ids of
 * disabled rules, `mark(n)` writes the n-th placeholder (`?` for SQLite, `$n` for PostgreSQL), `first` is the
 * number of the first one.
 */
export function filterSql(f: ChangeFilter, heldRules: string[], mark: (n: number) => string = () => '?', first = 1): { where: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  const next = (v: unknown) => {
    params.push(v);
    return mark(first + params.length - 1);
  };
  const eq = (column: string, v: unknown) => {
    if (v !== undefined) terms.push(`${column} = ${next(v)}`);
  };
  eq('rule_id', f.rule);
  eq('bucket', f.bucket);
  eq('key', f.key);
  eq('operation', f.op);
  eq('access_key_id', f.client);
  if (f.prefix !== undefined) {
    const a = next(f.prefix);
    terms.push(`substr(key, 1, length(${a})) = ${next(f.prefix)}`);
  }
  if (f.since !== undefined) terms.push(`created_at >= ${next(f.since)}`);
  if (f.until !== undefined) terms.push(`created_at < ${next(f.until)}`);
  if (f.state === 'pending' || f.state === 'held') {
    terms.push("state IN ('intent', 'pending')");
    if (heldRules.length) {
      const held = heldRules.map((r) => next(r)).join(', ');
      terms.push(`rule_id ${f.state === 'pending' ? 'NOT IN' : 'IN'} (${held})`);
    } else if (f.state === 'held') terms.push('1 = 0');
  } else eq('state', f.state);
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}
