import { readFileSync } from 'node:fs';
import type { FerryConfig } from '../config/types.js';

// Descriptors beyond the counted ones: the journal (database, WAL, shared memory, a second connection), the admin
// listener and its clients, the logger, spooled form uploads, DNS and whatever Node itself holds open.
const SPARE_DESCRIPTORS = 64;

/** Pure: the soft limit on open files from the text of /proc/self/limits, or undefined when it says none. */
export function openFilesLimit(limits: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  return m && m[1] !== 'unlimited' ? Number(m[1]) : undefined;
}

/** The process's soft limit on open files, where the system tells it (Linux); undefined elsewhere. */
export function currentOpenFilesLimit(): number | undefined {
  try {
    return openFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Pure: how many client connections the gateway may hold. The configured cap, lowered so that the descriptors the
 * rest of Ferry needs stay free however many clients connect: connections to the source, the shipper's to every
 * region, and a spare for the journal and the rest. Never below 1.
 */
export function connectionBudget(config: Pick<FerryConfig, 'gateway' | 'upstream' | 'shipper' | 'regions'>, fileLimit: number | undefined):
  { maxConnections: number; reserved: number } {
  const regions = Object.keys(config.regions).length;
  const reserved = config.upstream.connections + config.shipper.concurrency * 2 * regions + SPARE_DESCRIPTORS;
  const fits = fileLimit === undefined ? Infinity : fileLimit - reserved;
  return { maxConnections: Math.max(1, Math.min(config.gateway.maxConnections, fits)), reserved };
}
