import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { startLocalRegion, type LocalRegion } from '../../regions/s3rver-process.js';
import { parseConfig } from '../../config/parse.js';
import { createLogger } from '../../util/logger.js';
import { startFerry } from '../../runtime/ferry.js';

export const DEMO_KEY = 'FERRYDEMOKEY';
export const DEMO_SECRET = 'ferry-demo-secret-key-0000000000000000000';

/**
 * `ferry demo`: two local regions (s3rver), a source and a target bucket, a rule, client credentials,
 * the gateway and the shipper, all on 127.0.0.1 with data under `dir`. Ctrl-C stops everything.
 */
export async function runDemo(opts: { dir: string; listen: string; quiet?: boolean }): Promise<void> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const regions: LocalRegion[] = [];
  const stopRegions = () => Promise.all(regions.map((r) => r.stop()));
  try {
    regions.push(await startLocalRegion(resolve(dir, 'regions/cn-bj'), { buckets: ['photos'] }));
    regions.push(await startLocalRegion(resolve(dir, 'regions/cn-sh'), { buckets: ['photos-replica'] }));
  } catch (err) {
    await stopRegions();
    throw err;
  }
  const [bj, sh] = regions as [LocalRegion, LocalRegion];
  const config = parseConfig({
    listen: opts.listen,
    journal: { path: resolve(dir, 'journal.db') },
    regions: {
      'cn-bj': { endpoint: bj.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      'cn-sh': { endpoint: sh.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    source: 'cn-bj',
    clients: [{ accessKeyId: DEMO_KEY, secretAccessKey: DEMO_SECRET }],
    rules: [{ id: 'photos', source: 'photos', target: { region: 'cn-sh', bucket: 'photos-replica' }, enabled: true }],
    log: { level: opts.quiet ? 'warn' : 'info' },
  });
  const ferry = await startFerry(config, { gateway: true, shipper: true, log: createLogger(config.log.level) });
  const endpoint = `http://${ferry.address!.address}:${ferry.address!.port}`;
  const env = `AWS_ACCESS_KEY_ID=${DEMO_KEY} AWS_SECRET_ACCESS_KEY=${DEMO_SECRET} AWS_DEFAULT_REGION=cn-bj AWS_EC2_METADATA_DISABLED=true`;
  process.stdout.write([
    '',
    `Ferry demo is running.`,
    `  endpoint:          ${endpoint}`,
    `  access key id:     ${DEMO_KEY}`,
    `  secret access key: ${DEMO_SECRET}   (demo only)`,
    `  source region:     cn-bj ${bj.endpoint}  bucket photos`,
    `  target region:     cn-sh ${sh.endpoint}  bucket photos-replica (rule "photos")`,
    '',
    'Try it with the AWS CLI:',
    `  export ${env}`,
    `  echo hello > hello.txt && aws --endpoint-url ${endpoint} s3 cp hello.txt s3://photos/hello.txt`,
    `  aws --endpoint-url ${endpoint} s3 ls s3://photos/`,
    `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${sh.endpoint} s3 ls s3://photos-replica/`,
    '',
    'Ctrl-C stops Ferry and both regions.',
    '',
  ].join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await ferry.stop();
    await stopRegions();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
