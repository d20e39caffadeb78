import { cutMiddle, displayWidth, graphemes, padToWidth } from './text-width.js';

// What a terminal acts on rather than shows: C0 controls (ESC, CR, BS, BEL, line breaks), DEL, C1 controls (which
// some terminals take as CSI), the Unicode line separators and the bidirectional overrides that reorder what is
// shown. The backslash is escaped too, so a key that spells "\x1B" reads differently from one that holds ESC.
const INVISIBLE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Pure: text from clients or regions (keys, error details) made safe to print for people: every control or
 * reordering character is shown as an escape (`\x1B`, `\u202E`), a backslash as `\\`. JSON output needs none of it.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase()}`;
  });
}

export interface TableOptions {
  /** Per column, the most columns of the terminal a cell may take: longer ones are cut in the middle (`…`). */
  maxWidths?: Array<number | undefined>;
}

/** A cell as shown: escaped, and cut in the middle when its column has a maximum width. */
function shownCell(cell: string, max: number | undefined): string {
  if (max === undefined) return visible(cell);
  // Cut between graphemes made visible, so an escape such as \x1B is never split.
  return cutMiddle(graphemes(cell).map(visible), max);
}

/**
 * Pure: aligns rows of cells into columns separated by two spaces, by the columns each takes in a terminal (CJK and
 * other wide characters take two); the first row is the header. Cells go through `visible`; the header is never cut.
 */
export function formatTable(rows: string[][], opts: TableOptions = {}): string {
  if (rows.length === 0) return '';
  const shown = rows.map((r, n) => r.map((c, i) => (n === 0 ? visible(c ?? '') : shownCell(c ?? '', opts.maxWidths?.[i]))));
  const widths = shown[0]!.map((_, i) => Math.max(...shown.map((r) => displayWidth(r[i] ?? ''))));
  return shown.map((r) => r.map((c, i) => padToWidth(c, widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** "2026-11-27 10:51:03" in UTC, or "-" when there is no time. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Bytes in binary units, one decimal: "0 B", "512 B", "1.5 KiB", "2.0 GiB". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Seconds for people: "0.12s", "42s", "3m 20s", "5h 02m", "3d 4h". */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '-';
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
