import { cpus, freemem, hostname, loadavg, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]!.trim();
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'linux';
  } catch {
    return 'linux';
  }
}

/** What the figures were measured on: they only compare within one run on one machine. */
export function machine(): Record<string, unknown> {
  const c = cpus();
  return {
    hostname: hostname(),
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryMB: Math.round(totalmem() / 2 ** 20),
    freeMemoryMB: Math.round(freemem() / 2 ** 20),
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    os: osName(),
    kernel: release(),
    node: process.version,
    nginx: version('/usr/sbin/nginx', ['-v']),
    rclone: version('rclone', ['version']),
  };
}

/** The commit the run measured, and whether the working tree differed from it. */
export function revision(cwd: string): { commit: string; dirty: boolean } {
  const git = (args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout?.trim() ?? '';
  return { commit: git(['rev-parse', 'HEAD']) || 'unknown', dirty: git(['status', '--porcelain', '--', 'src', 'bench']) !== '' };
}
