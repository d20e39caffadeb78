import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { FerryConfig } from '../config/types.js';
import type { JournalStore } from '../journal/journal-store.js';
import { openJournal } from '../journal/open-journal.js';
import { RuleSet } from '../rules/rule-set.js';
import { checkTargets } from '../rules/check-targets.js';
import type { Region } from '../region/region.js';
import { S3Region } from '../region/s3-region.js';
import { Upstream } from '../gateway/upstream.js';
import { UpstreamPool } from '../gateway/upstream-pool.js';
import { SourceHealth } from '../gateway/failover/source-health.js';
import { ChangesInFlight } from '../gateway/failover/changes-in-flight.js';
import { startGateway } from '../gateway/server.js';
import type { GatewayContext } from '../gateway/context.js';
import { RecentPuts } from '../shipper/recent-puts.js';
import { Shipper, type ShipperEvents } from '../shipper/shipper.js';
import { checkOperationsConfig, startOperations } from '../admin/start-operations.js';
import { startConsole, type RunningConsole } from '../admin/console/start-console.js';
import { serialise, type Serialised } from './serialise.js';

// How long a reload lets the old shipper's copies in flight finish before cancelling them (their keys stay queued).
const RELOAD_GRACE_MS = 2_000;

export interface FerryOptions {
  gateway: boolean;
  shipper: boolean;
  log: Logger;
  shipperEvents?: ShipperEvents;
  /** How often the web console samples the rules' figures for its charts (a minute unless a test wants more). */
  consoleSampleMs?: number;
}

export interface RunningFerry {
  config: FerryConfig;
  journal: JournalStore;
  context: GatewayContext;
  address?: AddressInfo;
  /** The admin listener's address, when `admin` is configured. */
  admin?: AddressInfo;
  server?: Server;
  shipper?: Shipper;
  /** The admin listener's web console, when `admin` is configured. */
  console?: RunningConsole;
  clients: Map<string, Region>;
  /** Swaps rules, credentials and regions in place; one reload at a time, requests made meanwhile coalesced. */
  reload: Serialised<FerryConfig>;
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
  const journal = await openJournal(config.journal, { create: true });
  journal.on('warning', (message) => log.warn({ journal: journal.location }, message));
  const recovered = await journal.recoverIntents(Date.now());
  if (recovered) log.warn({ recovered }, 'intents without outcome from an earlier run were queued for shipping');
  const context: GatewayContext = {
    config, rules: new RuleSet(config.rules), journal, log,
    upstream: new Upstream(config.regions[config.source]!, config.upstream),
    upstreams: new UpstreamPool(config),
    sourceHealth: new SourceHealth(config.upstream.breakerFailures, config.upstream.probeMs,
      (signal) => running.clients.get(running.config.source)!.ping(signal), log),
    changesInFlight: new ChangesInFlight(),
    credentials: new Map(config.clients.map((c) => [c.accessKeyId, c])),
    // A gateway with its shipper in the same process hands it the bytes of small PUTs.
    recentPuts: opts.gateway && opts.shipper ? new RecentPuts() : undefined,
  };
  let stopping = false;
  const running: RunningFerry = {
    config, journal, context, clients,
    reload: serialise(async (next: FerryConfig) => {
      await checkTargets(next.rules, clients, log);
      const old = clients;
      clients = regionClients(next);
      const ids = new Set(next.rules.map((r) => r.id));
      for (const id of await journal.rulesWithWork()) {
        if (!ids.has(id)) log.warn({ rule: id, cancelled: await journal.cancelRule(id) }, 'rule removed; its pending changes are cancelled');
      }
      const oldUpstreams = context.upstreams;
      context.upstreams = new UpstreamPool(next);
      context.rules = new RuleSet(next.rules);
      // A cutover pauses a bucket's changes, then waits for those already admitted before it reads the journal.
      for (const rule of next.rules) {
        if (rule.writesPaused && !await context.changesInFlight.idle(rule.source, next.upstream.timeoutMs)) {
          log.warn({ rule: rule.id }, 'changes admitted before the pause are still in flight');
        }
      }
      context.credentials = new Map(next.clients.map((c) => [c.accessKeyId, c]));
      context.config = next;
      running.config = next;
      running.clients = clients;
      if (opts.shipper) await restartShipper();
      setTimeout(() => {
        for (const c of old.values()) void c.close();
        void oldUpstreams.close();
      }, 30_000).unref();
      journal.emit('commit');
      log.info({ rules: next.rules.map((r) => ({ id: r.id, enabled: r.enabled, primary: r.primary ?? 'source', writesPaused: !!r.writesPaused })) },
        'configuration reloaded');
    }),
    async stop() {
      // No reload may build a shipper once stopping has begun.
      stopping = true;
      await running.reload.idle();
      await ops.stop();
      running.console?.stop();
      if (running.server) {
        running.server.close();
        running.server.closeIdleConnections();
      }
      await running.shipper?.stop(true);
      context.sourceHealth.close();
      await context.upstream.close();
      await context.upstreams.close();
      for (const c of clients.values()) await c.close();
      await journal.close();
    },
  };
  if (config.admin) running.console = startConsole(running, { sampleEveryMs: opts.consoleSampleMs, log });
  const ops = await startOperations(running, { log, gateway: opts.gateway, shipperEvents: opts.shipperEvents })
    .catch((err: unknown) => { running.console?.stop(); throw err; });
  running.admin = ops.admin;
  const makeShipper = () => new Shipper(journal, () => context.rules, clients.get(running.config.source)!,
    clients, running.config.shipper, log, ops.shipperEvents, context.recentPuts);
  // Exactly one shipper at a time: the old one is stopped (its copies in flight get a moment to finish, the rest
  // are cancelled and stay queued) before the new one starts.
  async function restartShipper() {
    await running.shipper?.stop(RELOAD_GRACE_MS);
    running.shipper = undefined;
    // `shipper.enabled` is read again on each reload: an operator can pause shipping without stopping the gateway.
    if (stopping || !running.config.shipper.enabled) return;
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
