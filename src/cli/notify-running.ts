import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve, dirname } from 'node:path';
import { reloadThroughAdmin } from '../admin/reload-client.js';
import { checkFerryPid } from '../admin/running-ferry.js';
import { visible } from '../ops/format.js';

/**
 * Tells running Ferry processes of this config to reload: through the admin listener when the config has one
 * (the answer says the reload took), and by SIGHUP to the processes in the pid files (a standalone `ferry ship`,
 * or every process when there is no admin listener or it cannot be reached), each only once /proc shows it is a
 * Ferry serving this file. Returns how many were told.
 */
export async function notifyRunning(file: string, raw: Record<string, unknown>): Promise<number> {
  let told = 0;
  let answered: number | undefined;
  if (raw.admin !== undefined) {
    const r = await reloadThroughAdmin(raw.admin);
    if (r.ok) {
      answered = r.pid;
      told++;
    } else process.stderr.write(`note: admin reload did not answer (${visible(r.error)}); signalling instead\n`);
  }
  const journal = (raw.journal as { path?: string } | undefined)?.path;
  if (!journal) return told;
  for (const kind of ['serve', 'ship']) {
    const pidFile = `${resolve(dirname(resolve(file)), journal)}.${kind}.pid`;
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid === answered) continue;
    const check = checkFerryPid(pid, file, kind as 'serve' | 'ship');
    if (!check.ferry) {
      // A pid file outlives a Ferry killed with SIGKILL, and its pid may now be any process's.
      if (!check.gone) process.stderr.write(`note: ${basename(pidFile)} names pid ${pid}, which is not signalled: ${check.why}\n`);
      continue;
    }
    try {
      process.kill(pid, 'SIGHUP');
      told++;
    } catch {
      // Gone between the check and the signal.
    }
  }
  return told;
}
