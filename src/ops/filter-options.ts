import { FerryError } from '../errors/ferry-error.js';
import { STATE_FILTERS, isStateFilter, type ChangeFilter } from '../journal/query.js';
import { parseTimeArg } from './duration.js';

/** The journal filters as the command line gives them: the same names as ChangeFilter, every value a string. */
export type FilterOptions = { [K in keyof ChangeFilter]?: string };

/** Pure: command-line filters to a query filter; a bad state or time is an OPTION_INVALID error. */
export function toChangeFilter(o: FilterOptions, now: number): ChangeFilter {
  if (o.state !== undefined && !isStateFilter(o.state)) {
    throw new FerryError('OPTION_INVALID', `--state "${o.state}" is not a state`, `use one of: ${STATE_FILTERS.join(', ')}`);
  }
  const f: ChangeFilter = { rule: o.rule, bucket: o.bucket, key: o.key, prefix: o.prefix, op: o.op, client: o.client, state: o.state };
  if (o.since !== undefined) f.since = parseTimeArg(o.since, now, '--since');
  if (o.until !== undefined) f.until = parseTimeArg(o.until, now, '--until');
  return f;
}

/** Pure: a positive whole number option (or 0 for "no limit"). */
export function toCount(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new FerryError('OPTION_INVALID', `${option} "${text}" is not a whole number`);
  return Number(text);
}
