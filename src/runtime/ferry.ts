import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { FerryConfig } from '../config/types.js';
import { Journal } from '../journal/journal.js';
import { RuleSet } from '../rules/rule-set.js';
import { checkTargets } from '../rules/check-targets.js';
import type { Region } from '../region/region.js';
import { S3Region } from '../region/s3-region.js';
import { Upstream } from '../gateway/upstream.js';
import { startGateway } from '../gateway/server.js';
import type { GatewayContext } from '../gateway/context.js';
import { Shipper, type ShipperEvents } from '../shipper/shipper.js';
import { checkOperationsConfig, startOperations } from '../admin/start-operations.js';

export interface FerryOptions {
  gateway: boolean;
  shipper: boolean;
  log: Logger;
  shipperEvents?: ShipperEvents;
}

export interface RunningFerry {
  config: FerryConfig;
  journal: Journal;
  context: GatewayContext;
  address?: AddressInfo;
  /** The admin listener's address, when `admin` is configured. */
  admin?: AddressInfo;
  server?: Server;
  shipper?: Shipper;
  clients: Map<string, Region>;
  reload(next: FerryConfig): Promise<void>;
  stop(): Promise<void>;
}

function regionClients(config: FerryConfig): Map<string, Region> {
  return new Map(Object.entries(config.regions).map(([name, r]) =>
    [name, new S3Region(name, r, { connections: config.shipper.concurrency * 2, timeoutMs: config.upstream.timeoutMs })]));
}

/** Starts the gateway and/or the shipper over one journal; `reload` swaps rules and credentials in place. */
export async function startFerry(config: FerryConfig, opts: FerryOptions): Promise<RunningFerry> {
  const log = opts.log;
  checkOperationsConfig(config);
  let clients = regionClients(config);
  await checkTargets(config.rules, clients, log);
  const journal = new Journal(config.journal.path);
  const recovered = journal.recoverIntents(Date.now());
  if (recovered) log.warn({ recovered }, 'intents without outcome from an earlier run were queued for shipping');
  const context: GatewayContext = {
    config, rules: new RuleSet(config.rules), journal, log,
    upstream: new Upstream(config.regions[config.source]!, config.upstream),
    credentials: new Map(config.clients.map((c) => [c.accessKeyId, c])),
  };
  const running: RunningFerry = {
    config, journal, context, clients,
    async reload(next) {
      await checkTargets(next.rules, clients, log);
      const old = clients;
      clients = regionClients(next);
      const ids = new Set(next.rules.map((r) => r.id));
      for (const id of journal.queue.rulesWithWork()) {
        if (!ids.has(id)) log.warn({ rule: id, cancelled: journal.queue.cancelRule(id) }, 'rule removed; its pending changes are cancelled');
      }
      context.rules = new RuleSet(next.rules);
      context.credentials = new Map(next.clients.map((c) => [c.accessKeyId, c]));
      context.config = next;
      running.config = next;
      running.clients = clients;
      if (running.shipper) await restartShipper();
      setTimeout(() => { for (const c of old.values()) void c.close(); }, 30_000).unref();
      journal.emit('commit');
      log.info({ rules: next.rules.map((r) => ({ id: r.id, enabled: r.enabled })) }, 'configuration reloaded');
    },
    async stop() {
      await ops.stop();
      if (running.server) {
        running.server.close();
        running.server.closeIdleConnections();
      }
      await running.shipper?.stop(true);
      await context.upstream.close();
      for (const c of clients.values()) await c.close();
      journal.close();
    },
  };
  const ops = await startOperations(running, { log, gateway: opts.gateway, shipperEvents: opts.shipperEvents });
  running.admin = ops.admin;
  const makeShipper = () => new Shipper(journal, () => context.rules, clients.get(running.config.source)!,
    clients, running.config.shipper, log, ops.shipperEvents);
  async function restartShipper() {
    await running.shipper?.stop(false);
    running.shipper = makeShipper();
    running.shipper.start();
  }
  if (opts.shipper && config.shipper.enabled) {
    running.shipper = makeShipper();
    running.shipper.start();
  }
  if (opts.gateway) {
    const { server, address } = await startGateway(context, config.listen);
    running.server = server;
    running.address = address;
    log.info({ address: `${address.address}:${address.port}` }, 'gateway listening');
  }
  return running;
}
