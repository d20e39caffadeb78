// `npm test` first runs scripts/preflight.sh: on a machine that lacks a program the tests run, it stops within
// seconds naming what is missing and the command that installs it. Checked here with --check (report only, never
// install) on PATHs that lack programs, and with programs at fixed paths hidden in a private mount namespace.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/preflight.sh', import.meta.url));

function preflight(cmd: string[], env: NodeJS.ProcessEnv): { code: number | null; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stderr: r.stderr, ms: Date.now() - started };
}

t.test('on this machine nothing is missing', async (t) => {
  const r = preflight(['/bin/bash', SCRIPT, '--check'], process.env);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
});

t.test('a PATH without some programs: each is named, with the one command that installs them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-path-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const p of ['rclone', 'sqlite3', 'curl', 'prlimit']) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(dir, p));
  }
  // A file that cannot run is not a program.
  writeFileSync(join(dir, 's3cmd'), 'not a program');
  const r = preflight(['/bin/bash', SCRIPT, '--check'], { PATH: dir });
  t.equal(r.code, 1);
  t.ok(r.ms < 10_000, `within seconds (${r.ms} ms)`);
  t.match(r.stderr, /^preflight: the tests need programs this machine lacks:\n/);
  t.match(r.stderr, /\n  - s3cmd\n/);
  t.match(r.stderr, /\n  - mkfs\.ext4 \(the fault suites\)\n/);
  t.match(r.stderr, /\n  - Ceph's monitor, OSD and RADOS Gateway/);
  t.notMatch(r.stderr, /rclone|sqlite3|curl|prlimit/, 'what is there is not named');
  t.match(r.stderr, "sudo bash -c 'apt-get update && apt-get install -y --no-install-recommends s3cmd e2fsprogs && bash scripts/rgw/install.sh'");
  t.match(r.stderr, /sudo bash scripts\/preflight\.sh/);
});

t.test('programs the tests run by path, hidden: an AWS CLI v1 at /usr/bin/aws, no PostgreSQL 15, no Chromium, no boto3', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-hide-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const v1 = join(dir, 'aws');
  writeFileSync(v1, '#!/bin/sh\necho "aws-cli/1.18.69 Python/2.7.18 Linux/5.10 botocore/1.17.0" >&2\n');
  chmodSync(v1, 0o755);
  const empty = join(dir, 'empty');
  spawnSync('mkdir', [empty]);
  // Bind mounts in a mount namespace of its own: the programs are gone for the script alone, as on a machine without them.
  const hide = [`mount --bind ${v1} /usr/bin/aws`, `mount --bind ${empty} /usr/lib/postgresql`, 'mount --bind /dev/null /usr/bin/chromium',
    `mount --bind ${empty} /usr/lib/python3/dist-packages/boto3`].join(' && ');
  const r = preflight(['unshare', '-m', '/bin/bash', '-c', `${hide} && exec /bin/bash ${SCRIPT} --check`], process.env);
  t.equal(r.code, 1, r.stderr);
  t.ok(r.ms < 10_000, `within seconds (${r.ms} ms)`);
  t.match(r.stderr, /  - AWS CLI v2 \(\/usr\/bin\/aws says: aws-cli\/1\.18\.69/);
  t.match(r.stderr, /  - PostgreSQL 15 \(\/usr\/lib\/postgresql\/15\/bin\/pg_ctl, initdb\)/);
  t.match(r.stderr, /  - Chromium \(\/usr\/bin\/chromium, the console test\)/);
  t.match(r.stderr, /  - boto3 for \/usr\/bin\/python3/);
  t.match(r.stderr, /apt-get install -y --no-install-recommends postgresql python3-boto3 chromium awscli'/);
});
