/** What a demo run decides: where it listens, and its regions' endpoints. */
export interface DemoAddresses {
  listen: string;
  admin: string;
  source: string;
  target: string;
}

export const DEMO_KEY = 'FERRYDEMOKEY';
export const DEMO_SECRET = 'ferry-demo-secret-key-0000000000000000000';

// s3rver's own default port and the next: the same every run, so the AWS CLI lines of the banner keep working.
export const DEMO_SOURCE_PORT = 4568;
export const DEMO_TARGET_PORT = 4569;
export const DEMO_LISTEN = '127.0.0.1:9000';
export const DEMO_ADMIN = '127.0.0.1:9001';

/**
 * Pure: the demo's configuration file. A file from an earlier run is kept (its rules, clients and settings as the
 * operator left them, after `ferry rules add` or an edit by hand); only what this run decides is set: the
 * addresses, the regions' endpoints, and the admin listener's address.
 */
export function demoConfig(a: DemoAddresses, earlier?: Record<string, unknown>): Record<string, unknown> {
  const region = (endpoint: string) => ({ endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  const fresh: Record<string, unknown> = {
    listen: a.listen,
    journal: { path: 'journal.db' },
    regions: { 'cn-bj': region(a.source), 'cn-sh': region(a.target) },
    source: 'cn-bj',
    clients: [{ accessKeyId: DEMO_KEY, secretAccessKey: DEMO_SECRET }],
    rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true }],
    admin: { listen: a.admin },
    log: { level: 'info' },
  };
  if (!earlier) return fresh;
  const regions = { ...(earlier.regions as Record<string, Record<string, unknown>> | undefined) };
  regions['cn-bj'] = { ...region(a.source), ...regions['cn-bj'], endpoint: a.source };
  regions['cn-sh'] = { ...region(a.target), ...regions['cn-sh'], endpoint: a.target };
  return { ...fresh, ...earlier, listen: a.listen, regions, admin: { ...(earlier.admin as object | undefined), listen: a.admin } };
}
