import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import { FerryError } from '../errors/ferry-error.js';
import type { RunningFerry } from '../runtime/ferry.js';
import type { ShipperEvents } from '../shipper/shipper.js';
import { requireDuration } from '../ops/duration.js';
import { scheduleRetention } from '../ops/retention-schedule.js';
import { collectStatus } from '../ops/status.js';
import { checkAdminBinding } from './binding.js';
import type { PendingReader } from './metrics.js';

export interface Operations {
  /** The hooks the shipper must be built with (metrics plus the caller's own). */
  shipperEvents?: ShipperEvents;
  admin?: AddressInfo;
  stop(): Promise<void>;
}

/** Checks what would stop the operations side from starting, before anything is opened or bound. */
export function checkOperationsConfig(config: RunningFerry['config']): void {
  if (config.admin) checkAdminBinding(config.admin);
  if (config.journal.retention !== undefined) requireDuration(config.journal.retention, 'journal.retention');
}

function pendingReader(running: RunningFerry): PendingReader {
  return async () => {
    const rows = await running.journal.pendingByRule();
    const seen = new Set(rows.map((r) => r.rule));
    return [...rows, ...running.config.rules.filter((r) => !seen.has(r.id)).map((r) => ({ rule: r.id, operations: 0, bytes: 0 }))];
  };
}

/**
 * The operations side of a running Ferry: journal pruning by retention, and with `admin` configured, metrics
 * hooks and the admin listener. A standalone shipper whose gateway already holds the admin address runs without it.
 */
export async function startOperations(running: RunningFerry, opts: { log: Logger; gateway: boolean; shipperEvents?: ShipperEvents }): Promise<Operations> {
  const { log } = opts;
  const retention = scheduleRetention(running.journal, () => running.config.journal.retention, log);
  // The head at start, in the log: with later ones (metrics), what `ferry journal verify --expect-head` checks against.
  running.journal.head().then((head) => log.info({ journal: running.journal.location, head }, 'journal opened'), () => {});
  const config = running.config;
  if (!config.admin) return { shipperEvents: opts.shipperEvents, stop: () => retention.stop() };
  // Loaded only when needed: prom-client and the admin server weigh on the start of every CLI command otherwise.
  const [{ FerryMetrics, bothEvents }, { startAdminServer }, { checkReady }] = await Promise.all([
    import('./metrics.js'), import('./admin-server.js'), import('./readiness.js')]);
  const metrics = new FerryMetrics(pendingReader(running), config.rules.map((r) => r.id), () => running.journal.head());
  running.context.onRequest = metrics.onRequest;
  running.context.onJournalAppend = metrics.onJournalAppend;
  let server: Server | undefined;
  let address: AddressInfo | undefined;
  try {
    ({ server, address } = await startAdminServer(config.admin, {
      metrics: () => metrics.text(),
      status: () => collectStatus(running.journal, running.config.rules),
      ready: () => checkReady(running.journal, running.clients.get(running.config.source)),
      console: running.console?.routes,
      async reload() {
        const file = running.config.file;
        if (!file) throw new FerryError('CONFIG_UNREADABLE', 'this Ferry was not started from a configuration file');
        const next = loadConfig(file);
        checkOperationsConfig(next);
        await running.reload(next);
        metrics.knowRules(running.config.rules.map((r) => r.id));
        return { reloaded: true, pid: process.pid, rules: running.config.rules.map((r) => ({ id: r.id, enabled: r.enabled })) };
      },
    }, log));
    log.info({ address: `${address.address}:${address.port}` }, 'admin listening');
  } catch (err) {
    if (opts.gateway || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      await retention.stop();
      throw err;
    }
    log.warn({ listen: config.admin.listen }, 'admin address in use (by the gateway process, presumably); this shipper runs without it');
  }
  return {
    shipperEvents: bothEvents(opts.shipperEvents, metrics.shipperEvents),
    admin: address,
    async stop() {
      server?.close();
      server?.closeAllConnections();
      await retention.stop();
    },
  };
}
