import type { FerryConfig } from '../config/types.js';
import { formatBytes, formatSeconds, formatTable } from './format.js';
import { loadConfigLenient, openJournalReadonly } from './ops-config.js';
import { collectStatus, type FerryStatus } from './status.js';

/** Pure: the status table for people. */
export function formatStatus(s: FerryStatus): string {
  if (s.rules.length === 0) return 'no replication rules are configured\n';
  return formatTable([['RULE', 'ENABLED', 'SERVING', 'PENDING', 'BYTES', 'OLDEST', 'FAILED', 'UNCHANGED', 'SHIPPED 1M', 'SHIPPED 1H', 'LAG P50', 'LAG P99'],
    ...s.rules.map((r) => [r.rule, r.enabled ? 'yes' : 'no (held)', r.serving, String(r.pending.operations), formatBytes(r.pending.bytes),
      formatSeconds(r.pending.oldestAgeSeconds), String(r.failed), String(r.unchanged), String(r.shipped.lastMinute), String(r.shipped.lastHour),
      formatSeconds(r.lagSeconds.p50), formatSeconds(r.lagSeconds.p99)])]);
}

async function statusOnce(config: FerryConfig): Promise<FerryStatus> {
  const journal = await openJournalReadonly(config);
  try {
    return await collectStatus(journal, config.rules);
  } finally {
    await journal.close();
  }
}

/**
 * `ferry status`: once, or every `watchSeconds` until interrupted. The configuration is read again each time,
 * so a rule enabled meanwhile shows as such.
 */
export async function runStatus(file: string, o: { json: boolean; watchSeconds?: number }): Promise<FerryStatus> {
  const show = async () => {
    const s = await statusOnce(loadConfigLenient(file));
    if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else {
      if (o.watchSeconds !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(`${o.watchSeconds !== undefined ? `${s.at}\n` : ''}${formatStatus(s)}`);
    }
    return s;
  };
  const first = await show();
  if (o.watchSeconds === undefined) return first;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => { show().catch((err: Error) => process.stderr.write(`ferry: ${err.message}\n`)); }, o.watchSeconds! * 1000);
    process.once('SIGINT', () => {
      clearInterval(timer);
      resolve();
    });
  });
  return first;
}
