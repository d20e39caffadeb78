import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/** Whether a pid is a Ferry serving a config, and why not when it is not (`gone`: no process has that pid). */
export type PidCheck = { ferry: true } | { ferry: false; gone: boolean; why: string };

/** Pure: the config file a `ferry serve|ship` command line names, or undefined when argv is no such command. */
export function ferryConfigArg(argv: readonly string[], command: 'serve' | 'ship'): string | undefined {
  // node …/dist/cli/main.js serve --config FILE, or the installed `ferry` bin (a script run by node, or a link to it).
  const script = argv.findIndex((a, i) => i > 0 && (/(^|\/)cli\/main\.js$/.test(a) || basename(a) === 'ferry'));
  if (script === -1 || argv[script + 1] !== command) return undefined;
  const rest = argv.slice(script + 2);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--config' || a === '-c') return rest[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
    if (a.startsWith('-c') && a.length > 2) return a.slice(2);
  }
  return undefined;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Checks, from /proc, that `pid` is a `ferry serve` (or `ship`) of this very config file before Ferry signals it:
 * a pid file left by a process killed with SIGKILL may name whatever process has that pid now. Where /proc cannot
 * tell (another system, another user's process), the answer is no: signalling a stranger is worse than a missed
 * reload, which the admin listener or `kill -HUP` still gives.
 */
export function checkFerryPid(pid: number, configFile: string, command: 'serve' | 'ship'): PidCheck {
  if (!Number.isInteger(pid) || pid <= 1) return { ferry: false, gone: false, why: 'the pid file holds no pid' };
  let argv: string[];
  let cwd: string;
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ferry: false, gone: code === 'ENOENT', why: code === 'ENOENT' ? 'no such process' : `its command line cannot be read (${code ?? 'unknown'})` };
  }
  const named = ferryConfigArg(argv, command);
  if (named === undefined) return { ferry: false, gone: false, why: `it is not a ferry ${command}` };
  if (real(resolve(cwd, named)) !== real(configFile)) return { ferry: false, gone: false, why: 'it serves another configuration file' };
  return { ferry: true };
}
