import { FerryError } from '../errors/ferry-error.js';
import { validateRules } from '../rules/validate-rules.js';
import type { ClientCredential, FerryConfig, RegionConfig, RuleConfig } from './types.js';

type Obj = Record<string, unknown>;

function fail(field: string, why: string): never {
  throw new FerryError('CONFIG_INVALID', `config field "${field}" ${why}`);
}

function obj(v: unknown, field: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(field, 'must be an object');
  return v as Obj;
}

function str(v: unknown, field: string, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v === '') fail(field, 'must be a non-empty string');
  return v;
}

function num(v: unknown, field: string, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(field, `must be a number >= ${min}`);
  return v;
}

function bool(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(field, 'must be true or false');
  return v;
}

/** `journal.path` (SQLite) or `journal.url` (PostgreSQL): exactly one. */
function journalStore(j: Obj): { path?: string; url?: string } {
  if (j.path !== undefined && j.url !== undefined) fail('journal', 'must give either "path" (SQLite) or "url" (PostgreSQL), not both');
  if (j.url === undefined) return { path: str(j.path, 'journal.path') };
  const url = str(j.url, 'journal.url');
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    // Reported below, without the URL: it may hold a password.
  }
  if (!u || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') || !u.hostname) {
    fail('journal.url', 'must be a PostgreSQL URL such as postgres://USER:PASSWORD@HOST:5432/DB');
  }
  return { url };
}

function endpoint(v: unknown, field: string): string {
  const s = str(v, field);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(field, 'must be a URL such as http://127.0.0.1:4568');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(field, 'must be an http or https URL');
  return s.replace(/\/+$/, '');
}

function parseRegion(name: string, v: unknown): RegionConfig {
  const f = `regions.${name}`;
  const r = obj(v, f);
  return {
    endpoint: endpoint(r.endpoint, `${f}.endpoint`),
    accessKeyId: str(r.accessKeyId, `${f}.accessKeyId`),
    secretAccessKey: str(r.secretAccessKey, `${f}.secretAccessKey`),
    signingRegion: str(r.signingRegion, `${f}.signingRegion`, name),
    ...(r.countsTags === undefined ? {} : { countsTags: bool(r.countsTags, `${f}.countsTags`, false) }),
  };
}

function parseClient(v: unknown, i: number): ClientCredential {
  const f = `clients[${i}]`;
  const c = obj(v, f);
  const client: ClientCredential = {
    accessKeyId: str(c.accessKeyId, `${f}.accessKeyId`),
    secretAccessKey: str(c.secretAccessKey, `${f}.secretAccessKey`),
  };
  if (c.buckets !== undefined) {
    if (!Array.isArray(c.buckets)) fail(`${f}.buckets`, 'must be an array of bucket names');
    client.buckets = c.buckets.map((b, j) => str(b, `${f}.buckets[${j}]`));
  }
  return client;
}

/** A string that must be one of `choices`; the first is the default. */
function oneOf<T extends string>(v: unknown, field: string, choices: readonly T[]): T {
  const s = str(v, field, choices[0]);
  if (!(choices as readonly string[]).includes(s)) fail(field, `must be ${choices.map((c) => `"${c}"`).join(' or ')}`);
  return s as T;
}

/** Parses one rule object; shared by the config loader and `ferry rules add`. */
export function parseRule(v: unknown, field: string): RuleConfig {
  const r = obj(v, field);
  const target = obj(r.target, `${field}.target`);
  const rule: RuleConfig = {
    id: str(r.id, `${field}.id`),
    source: str(r.source, `${field}.source`),
    target: { region: str(target.region, `${field}.target.region`), bucket: str(target.bucket, `${field}.target.bucket`) },
    enabled: bool(r.enabled, `${field}.enabled`, true),
  };
  // Written only when not the default, so files `ferry rules` edits stay as short as their authors wrote them.
  if (oneOf(r.failover, `${field}.failover`, ['off', 'reads'] as const) === 'reads') rule.failover = 'reads';
  if (oneOf(r.primary, `${field}.primary`, ['source', 'target'] as const) === 'target') rule.primary = 'target';
  if (bool(r.writesPaused, `${field}.writesPaused`, false)) rule.writesPaused = true;
  if (bool(r.mirror, `${field}.mirror`, false)) rule.mirror = true;
  if (r.prefix !== undefined) rule.prefix = str(r.prefix, `${field}.prefix`);
  return rule;
}

const MiB = 1024 * 1024;


/** Validates a parsed (and env-expanded) configuration object; errors name the offending field. */
export function parseConfig(raw: unknown): FerryConfig {
  const c = obj(raw, '(root)');
  const regionsRaw = obj(c.regions, 'regions');
  const regions: Record<string, RegionConfig> = {};
  for (const [name, r] of Object.entries(regionsRaw)) regions[name] = parseRegion(name, r);
  const source = str(c.source, 'source');
  if (!regions[source]) fail('source', `names region "${source}", which is not in "regions"`);
  if (!Array.isArray(c.clients) || c.clients.length === 0) fail('clients', 'must list at least one credential');
  const rulesRaw = c.rules === undefined ? [] : c.rules;
  if (!Array.isArray(rulesRaw)) fail('rules', 'must be an array');
  const journal = obj(c.journal, 'journal');
  const ship = c.shipper === undefined ? {} : obj(c.shipper, 'shipper');
  const upstream = c.upstream === undefined ? {} : obj(c.upstream, 'upstream');
  const log = c.log === undefined ? {} : obj(c.log, 'log');
  const gateway = c.gateway === undefined ? {} : obj(c.gateway, 'gateway');
  const config: FerryConfig = {
    listen: str(c.listen, 'listen', '127.0.0.1:9000'),
    journal: journalStore(journal),
    regions,
    source,
    clients: c.clients.map(parseClient),
    anonymous: oneOf(c.anonymous, 'anonymous', ['forward', 'refuse'] as const),
    rules: rulesRaw.map((r, i) => parseRule(r, `rules[${i}]`)),
    shipper: {
      enabled: bool(ship.enabled, 'shipper.enabled', true),
      concurrency: num(ship.concurrency, 'shipper.concurrency', 8, 1),
      maxAttempts: num(ship.maxAttempts, 'shipper.maxAttempts', 10, 1),
      multipartThreshold: num(ship.multipartThreshold, 'shipper.multipartThreshold', 16 * MiB, 5 * MiB),
      partSize: num(ship.partSize, 'shipper.partSize', 8 * MiB, 5 * MiB),
      backoffBaseMs: num(ship.backoffBaseMs, 'shipper.backoffBaseMs', 500, 1),
      backoffMaxMs: num(ship.backoffMaxMs, 'shipper.backoffMaxMs', 60_000, 1),
      pollIntervalMs: num(ship.pollIntervalMs, 'shipper.pollIntervalMs', 1000, 10),
      abandonedUploadMs: num(ship.abandonedUploadMs, 'shipper.abandonedUploadMs', 600_000, 0),
      leaseMs: num(ship.leaseMs, 'shipper.leaseMs', 30_000, 500),
    },
    upstream: {
      timeoutMs: num(upstream.timeoutMs, 'upstream.timeoutMs', 30_000, 1),
      connections: num(upstream.connections, 'upstream.connections', 64, 1),
      breakerFailures: num(upstream.breakerFailures, 'upstream.breakerFailures', 2, 1),
      probeMs: num(upstream.probeMs, 'upstream.probeMs', 1000, 50),
    },
    log: { level: str(log.level, 'log.level', 'info') },
    gateway: {
      maxConnections: num(gateway.maxConnections, 'gateway.maxConnections', 1024, 1),
      headersTimeoutMs: num(gateway.headersTimeoutMs, 'gateway.headersTimeoutMs', 20_000, 100),
      // Left out, it stays clear of the source's timeout however long that is.
      idleTimeoutMs: num(gateway.idleTimeoutMs, 'gateway.idleTimeoutMs',
        Math.max(120_000, 2 * num(upstream.timeoutMs, 'upstream.timeoutMs', 30_000, 1)), 100),
    },
  };
  // A client waiting for the source's answer sends and receives nothing meanwhile: it must not be taken for idle.
  if (config.gateway.idleTimeoutMs <= config.upstream.timeoutMs) {
    fail('gateway.idleTimeoutMs', `must be longer than upstream.timeoutMs (${config.upstream.timeoutMs})`);
  }
  if (journal.retention !== undefined) config.journal.retention = str(journal.retention, 'journal.retention');
  if (c.virtualHostBase !== undefined) config.virtualHostBase = str(c.virtualHostBase, 'virtualHostBase');
  if (c.admin !== undefined) {
    const a = obj(c.admin, 'admin');
    config.admin = { listen: str(a.listen, 'admin.listen', '127.0.0.1:9001') };
    if (a.token !== undefined) config.admin.token = str(a.token, 'admin.token');
  }
  validateRules(config.rules, config.regions, config.source);
  return config;
}
