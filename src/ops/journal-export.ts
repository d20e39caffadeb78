import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { FerryConfig } from '../config/types.js';
import { FerryError } from '../errors/ferry-error.js';
import { CHANGE_COLUMNS } from '../journal/query.js';
import { toChangeFilter, type FilterOptions } from './filter-options.js';
import { heldRuleIds, openJournalReadonly } from './ops-config.js';
import { writeLines } from './write-lines.js';

export type ExportFormat = 'jsonl' | 'csv';

/** Pure: one CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge spaces. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const JSON_NAMES = CHANGE_COLUMNS.map((c) => `${JSON.stringify(c)}:`);

/** Pure: the CSV header line. */
export function csvHeader(): string {
  return `${CHANGE_COLUMNS.join(',')}\n`;
}

/** Pure: the lines of an export from rows in CHANGE_COLUMNS order (the CSV header apart); lazy, so rows are read as written. */
export function* exportLines(rows: Iterable<unknown[]>, format: ExportFormat): Generator<string> {
  if (format === 'csv') {
    for (const r of rows) yield `${r.map(csvField).join(',')}\n`;
    return;
  }
  // Built by hand rather than JSON.stringify of an object: the same JSON, and no object per row.
  for (const r of rows) {
    let line = '{';
    for (let i = 0; i < r.length; i++) line += `${i ? ',' : ''}${JSON_NAMES[i]}${JSON.stringify(r[i] ?? null)}`;
    yield `${line}}\n`;
  }
}

/**
 * `ferry journal export`: every matching row in seq order, streamed from the journal in batches to stdout or a
 * file with backpressure, so exports of millions of rows run in constant memory. Returns the rows written.
 */
export async function journalExport(config: FerryConfig, o: FilterOptions & { format: string; output?: string },
  out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (o.format !== 'jsonl' && o.format !== 'csv') {
    throw new FerryError('OPTION_INVALID', `--format "${o.format}" is not an export format`, 'use jsonl or csv');
  }
  const filter = toChangeFilter(o, Date.now());
  const journal = await openJournalReadonly(config);
  const file = o.output === undefined ? undefined : createWriteStream(o.output, { mode: 0o600 });
  try {
    const sink = file ?? out;
    let lines = o.format === 'csv' ? await writeLines(sink, [csvHeader()]) : 0;
    for await (const rows of journal.exportChanges(filter, heldRuleIds(config))) lines += await writeLines(sink, exportLines(rows, o.format));
    if (file) {
      file.end();
      await finished(file);
    }
    return o.format === 'csv' ? lines - 1 : lines;
  } finally {
    file?.destroy();
    await journal.close();
  }
}
