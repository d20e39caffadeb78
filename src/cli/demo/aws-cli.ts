import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The AWS CLI v2 a demo's commands should name, or why there is none. */
export type AwsCli =
  | { found: true; path: string; version: string; first: boolean }
  | { found: false; why: string; install: string };

// Debian 12 packages AWS CLI v2 (`awscli`); elsewhere AWS's own installer puts it in /usr/local/bin.
export const AWS_CLI_INSTALL = 'apt-get install awscli (Debian 12 and later: AWS CLI v2), or AWS\'s installer: ' +
  'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What `aws --version` says (v1 printed it on stderr), or undefined when it does not run. */
function versionOf(path: string): string | undefined {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || undefined;
}

/**
 * Finds AWS CLI v2: each `aws` on PATH in order, then /usr/bin/aws and /usr/local/bin/aws, the first whose
 * `--version` says aws-cli/2. An older `aws` first on PATH (a pyenv or pip v1 often is) is passed over, and
 * `first` says whether the one found is what a bare `aws` runs.
 */
export function findAwsCli(pathEnv = process.env.PATH ?? '', fallbacks = ['/usr/bin/aws', '/usr/local/bin/aws']): AwsCli {
  const onPath = pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, 'aws')).filter(executable);
  const seen: string[] = [];
  for (const path of [...new Set([...onPath, ...fallbacks.filter(executable)])]) {
    const version = versionOf(path);
    if (version?.startsWith('aws-cli/2')) return { found: true, path, version: version.split(/\s/)[0]!, first: path === onPath[0] };
    seen.push(`${path} (${version?.split(/\s/)[0] ?? 'does not run'})`);
  }
  return { found: false, install: AWS_CLI_INSTALL,
    why: seen.length ? `no AWS CLI v2: found only ${seen.join(', ')}` : 'no AWS CLI on PATH, nor at /usr/bin/aws or /usr/local/bin/aws' };
}
