// Runs command-line S3 clients (AWS CLI v2, rclone, s3cmd) against the gateway with nothing of the machine's
// own configuration: a scratch HOME, an environment built from scratch, credentials from world.ts.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_KEY, CLIENT_SECRET } from './world.js';
import { guardChild } from './child-guard.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  /** stdout as bytes, for clients that print object bodies. */
  bytes: Buffer;
  stderr: string;
}

/** Runs a command to completion, collecting its output; never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // Our own timer, not spawn's `timeout`: Node keeps that one running after a spawn that failed (ENOENT), and the
    // test would wait it out.
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    guardChild(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolve({ code, stdout: bytes.toString('utf8'), bytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The base environment: PATH and a scratch HOME only, so no proxy, CA bundle or profile leaks in. */
function baseEnv(home: string): Record<string, string> {
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TMPDIR: home };
}

/** AWS CLI v2 (/usr/bin/aws: a v1 from pyenv may come first on PATH). */
export function awsCli(endpoint: string, home: string): (args: string[]) => Promise<RunResult> {
  const env = {
    ...baseEnv(home),
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: CLIENT_KEY,
    AWS_SECRET_ACCESS_KEY: CLIENT_SECRET,
    AWS_DEFAULT_REGION: 'cn-bj',
    AWS_PAGER: '',
  };
  writeFileSync(env.AWS_CONFIG_FILE, '');
  writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE, '');
  return (args) => run('/usr/bin/aws', ['--endpoint-url', endpoint, '--no-cli-pager', ...args], env);
}

/** rclone with a remote named `ferry` configured through the environment (path style, ListObjects v1). */
export function rclone(endpoint: string, home: string): (args: string[]) => Promise<RunResult> {
  const env = {
    ...baseEnv(home),
    RCLONE_CONFIG: join(home, 'rclone.conf'),
    RCLONE_CONFIG_FERRY_TYPE: 's3',
    RCLONE_CONFIG_FERRY_PROVIDER: 'Other',
    RCLONE_CONFIG_FERRY_ENDPOINT: endpoint,
    RCLONE_CONFIG_FERRY_ACCESS_KEY_ID: CLIENT_KEY,
    RCLONE_CONFIG_FERRY_SECRET_ACCESS_KEY: CLIENT_SECRET,
    RCLONE_CONFIG_FERRY_REGION: 'cn-bj',
    RCLONE_CONFIG_FERRY_FORCE_PATH_STYLE: 'true',
  };
  writeFileSync(env.RCLONE_CONFIG, '');
  return (args) => run('rclone', ['--retries', '1', '--low-level-retries', '1', ...args], env);
}

/** s3cmd with a scratch config file (path style to 127.0.0.1:port, plain HTTP; SigV4 unless `signatureV2`). */
export function s3cmd(port: number, home: string, opts: { signatureV2?: boolean } = {}): (args: string[]) => Promise<RunResult> {
  const env = baseEnv(home);
  const config = join(home, 's3cfg');
  writeFileSync(config, [
    '[default]',
    `access_key = ${CLIENT_KEY}`,
    `secret_key = ${CLIENT_SECRET}`,
    `host_base = 127.0.0.1:${port}`,
    `host_bucket = 127.0.0.1:${port}`,
    'bucket_location = cn-bj',
    'use_https = False',
    `signature_v2 = ${opts.signatureV2 ? 'True' : 'False'}`,
    'check_ssl_certificate = False',
    'progress_meter = False',
    '',
  ].join('\n'));
  return (args) => run('s3cmd', ['-c', config, ...args], env);
}

/** curl, silent but showing errors; `-w '%{http_code}'` output is the last line of stdout. */
export function curl(home: string): (args: string[]) => Promise<RunResult> {
  const env = baseEnv(home);
  return (args) => run('curl', ['-sS', '--noproxy', '*', ...args], env);
}
