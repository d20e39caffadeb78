import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalRegion, type LocalRegion } from '../../regions/s3rver-process.js';
import { loadConfig } from '../../config/load.js';
import { readRawConfig, writeRawConfig } from '../../rules/edit-config.js';
import { createLogger } from '../../util/logger.js';
import { startFerry } from '../../runtime/ferry.js';
import { listenError } from '../listen-error.js';
import { findAwsCli } from './aws-cli.js';
import { demoConfig, DEMO_KEY, DEMO_SECRET } from './demo-config.js';
import { reserveAddress } from './reserve-address.js';

export interface DemoOptions {
  dir: string;
  listen: string;
  admin: string;
  sourcePort: string;
  targetPort: string;
}

const again = 'stop the other process (an earlier `ferry demo` still running?)';

/**
 * `ferry demo`: two local regions (s3rver), a source and a target bucket, a rule, client credentials, the gateway,
 * the shipper and the admin listener, all on 127.0.0.1 with data under `dir`, configured by `dir/ferry.json` so that
 * every operator command works against it. Ctrl-C stops everything; SIGHUP reloads the file, as `ferry serve` does.
 */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'ferry.json');
  // Every address is checked before anything starts, so a busy one stops the demo with its name and nothing to undo.
  const listen = await reserveAddress({ what: 'the demo gateway', listen: opts.listen, change: `${again}, or give --listen HOST:PORT` });
  const admin = await reserveAddress({ what: 'the demo admin listener', listen: opts.admin, change: `${again}, or give --admin HOST:PORT` });
  const sourceAt = await reserveAddress({ what: 'the demo source region', listen: `127.0.0.1:${opts.sourcePort}`, change: `${again}, or give --source-port` });
  const targetAt = await reserveAddress({ what: 'the demo target region', listen: `127.0.0.1:${opts.targetPort}`, change: `${again}, or give --target-port` });

  const regions: LocalRegion[] = [];
  const stopRegions = () => Promise.all(regions.map((r) => r.stop()));
  let ferry: Awaited<ReturnType<typeof startFerry>>;
  try {
    const port = (addr: string) => Number(addr.slice(addr.lastIndexOf(':') + 1));
    regions.push(await startLocalRegion(resolve(dir, 'regions/cn-bj'), { port: port(sourceAt), buckets: ['photos'] }));
    regions.push(await startLocalRegion(resolve(dir, 'regions/cn-sh'), { port: port(targetAt), buckets: ['photos-replica'] }));
    const [bj, sh] = regions as [LocalRegion, LocalRegion];
    writeRawConfig(file, demoConfig({ listen, admin, source: bj.endpoint, target: sh.endpoint }, existsSync(file) ? readRawConfig(file) : undefined));
    const config = loadConfig(file);
    ferry = await startFerry(config, { gateway: true, shipper: true, log: createLogger(config.log.level) }).catch((err: unknown) => {
      throw listenError(err, [{ what: 'the demo gateway', listen, change: `${again}, or give --listen HOST:PORT` },
        { what: 'the demo admin listener', listen: admin, change: `${again}, or give --admin HOST:PORT` }]);
    });
  } catch (err) {
    await stopRegions();
    throw err;
  }
  const [bj, sh] = regions as [LocalRegion, LocalRegion];
  const log = createLogger(ferry.config.log.level);
  const endpoint = `http://${ferry.address!.address}:${ferry.address!.port}`;
  const consoleUrl = `http://${ferry.admin!.address}:${ferry.admin!.port}/`;
  const aws = findAwsCli();
  const awsCmd = aws.found ? (aws.first ? 'aws' : aws.path) : 'aws';
  const env = `AWS_ACCESS_KEY_ID=${DEMO_KEY} AWS_SECRET_ACCESS_KEY=${DEMO_SECRET} AWS_DEFAULT_REGION=cn-bj AWS_EC2_METADATA_DISABLED=true`;
  process.stdout.write([
    '',
    'Ferry demo is running.',
    `  configuration:     ${file}`,
    `  endpoint:          ${endpoint}`,
    `  console:           ${consoleUrl}`,
    `  access key id:     ${DEMO_KEY}`,
    `  secret access key: ${DEMO_SECRET}   (demo only)`,
    `  source region:     cn-bj ${bj.endpoint}  bucket photos`,
    `  target region:     cn-sh ${sh.endpoint}  bucket photos-replica (rule "photos")`,
    aws.found ? `  AWS CLI v2:        ${aws.path} (${aws.version})` : `  AWS CLI v2:        not found: ${aws.why}`,
    ...(aws.found ? [] : [`                     install it with: ${aws.install}`]),
    '',
    'Try it with the AWS CLI:',
    `  export ${env}`,
    `  echo hello > hello.txt && ${awsCmd} --endpoint-url ${endpoint} s3 cp hello.txt s3://photos/hello.txt`,
    `  ${awsCmd} --endpoint-url ${endpoint} s3 ls s3://photos/`,
    `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER ${awsCmd} --endpoint-url ${sh.endpoint} s3 ls s3://photos-replica/`,
    '',
    'Operate it as any Ferry, in another terminal:',
    `  ferry status --config ${file}`,
    `  ferry journal ls --config ${file}`,
    `  ferry verify --config ${file}`,
    `  ferry rules ls --config ${file}`,
    '',
    'Ctrl-C stops Ferry and both regions.',
    '',
  ].join('\n'));
  process.on('SIGHUP', () => {
    try {
      void ferry.reload(loadConfig(file)).catch((err: Error) => log.error({ err: err.message }, 'reload refused'));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'reload refused; keeping the running configuration');
    }
  });
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
