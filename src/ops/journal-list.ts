import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import { displayState, type ChangeRow, type ShipAttempt } from '../journal/query.js';
import { formatBytes, formatSeconds, formatTable, formatTime, visible } from './format.js';
import { toChangeFilter, type FilterOptions } from './filter-options.js';
import { heldRuleIds, openJournalReadonly } from './ops-config.js';
import { writeLines } from './write-lines.js';

function lagSeconds(row: ChangeRow): number | null {
  // Clocks of two processes (gateway, shipper) may disagree by a few milliseconds: never show a negative lag.
  return row.shipped_at === null ? null : Math.max(0, row.shipped_at - (row.outcome_at ?? row.created_at)) / 1000;
}

/** Columns a BUCKET/KEY cell of `journal ls` may take before it is cut in the middle (`--wide`: no limit). */
export const KEY_COLUMN_WIDTH = 60;

/** Pure: the table `ferry journal ls` prints; long bucket/key cells are cut in the middle unless `wide`. */
export function formatChanges(rows: ChangeRow[], held: ReadonlySet<string>, wide = false): string {
  return formatTable([['SEQ', 'TIME (UTC)', 'RULE', 'OPERATION', 'BUCKET/KEY', 'CLIENT', 'STATE', 'SIZE', 'LAG'],
    ...rows.map((r) => [String(r.seq), formatTime(r.created_at), r.rule_id, r.operation, `${r.bucket}/${r.key}`,
      r.access_key_id, displayState(r, held), formatBytes(r.size), formatSeconds(lagSeconds(r))])],
  { maxWidths: wide ? [] : [undefined, undefined, undefined, undefined, KEY_COLUMN_WIDTH] });
}

/**
 * `ferry journal ls`: the newest matching rows first (`limit`, 0 for all). `--json` streams one object per line
 * as stored; the table shows `held` for pending rows of disabled rules, and cuts long keys in the middle unless `wide`.
 */
export async function journalLs(config: FerryConfig, o: FilterOptions & { limit: number; json: boolean; wide?: boolean },
  out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const filter = toChangeFilter(o, Date.now());
  const heldIds = heldRuleIds(config);
  const journal = await openJournalReadonly(config);
  try {
    const batches = journal.listChanges(filter, heldIds, { order: 'desc', limit: o.limit });
    if (o.json) {
      let n = 0;
      for await (const rows of batches) n += await writeLines(out, rows.map((r) => `${JSON.stringify(r)}\n`));
      return n;
    }
    const all: ChangeRow[] = [];
    for await (const rows of batches) all.push(...rows);
    out.write(all.length ? formatChanges(all, new Set(heldIds), o.wide) : 'no journal rows match\n');
    return all.length;
  } finally {
    await journal.close();
  }
}

/** Pure: one row in full with its shipping history, for people. */
export function formatChange(row: ChangeRow, history: ShipAttempt[], held: ReadonlySet<string>): string {
  const fields: Array<[string, string]> = [
    ['seq', String(row.seq)],
    ['created', `${formatTime(row.created_at)} UTC`],
    ['rule', row.rule_id],
    ['operation', row.operation],
    ['bucket', row.bucket],
    ['key', row.key],
    ['client', `${row.access_key_id} from ${row.remote_addr || '-'}`],
    ['origin', row.origin],
    ['state', displayState(row, held)],
    ['source answer', row.origin === 'resync' ? 'none (a resync row: the shipper reads the source state)'
      : row.status === null ? '-' : `${row.status} at ${formatTime(row.outcome_at)} UTC, request id ${row.request_id ?? '-'}`],
    ['etag', row.etag ?? '-'],
    ['size', row.size === null ? '-' : `${row.size} (${formatBytes(row.size)})`],
    ['version id', row.version_id ?? '-'],
    ['shipped', row.shipped_at === null ? '-' : `${formatTime(row.shipped_at)} UTC (lag ${formatSeconds(lagSeconds(row))}), target etag ${row.target_etag ?? '-'}`],
    ['last error', row.last_error ?? '-'],
    ['hash', row.hash],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const head = fields.map(([k, v]) => `${k.padEnd(width)}  ${visible(v)}`).join('\n') + '\n';
  if (history.length === 0) return `${head}\nno shipping attempts${row.state === 'rejected' ? ' (the source refused the change)' : ''}\n`;
  return `${head}\nshipping history (an attempt covers every unshipped change of the key up to its seq)\n` +
    formatTable([['TIME (UTC)', 'RESULT', 'COVERS UP TO', 'DETAIL'],
      ...history.map((a) => [formatTime(a.at), a.result, String(a.seq), a.detail ?? '-'])]);
}

/** `ferry journal show SEQ`. */
export async function journalShow(config: FerryConfig, seqText: string, json: boolean, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!/^\d+$/.test(seqText)) throw new FerryError('OPTION_INVALID', `"${seqText}" is not a sequence number`);
  const journal = await openJournalReadonly(config);
  try {
    const row = await journal.getChange(Number(seqText));
    const history = await journal.shippingHistory(row);
    out.write(json ? `${JSON.stringify({ ...row, history })}\n` : formatChange(row, history, new Set(heldRuleIds(config))));
  } finally {
    await journal.close();
  }
}
