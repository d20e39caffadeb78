// Child processes a test starts must not outlive it. A test runner that times a file out kills it outright
// (SIGALRM, then SIGKILL), so teardowns do not run: a watcher process kills whatever is still registered here once
// this process is gone, however it ended, and a normal exit kills it at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** pid → whether its whole process group is to be killed (a child spawned `detached`, leading its own group). */
const guarded = new Map<number, boolean>();
let listFile: string | undefined;

function targets(): string[] {
  return [...guarded].map(([pid, group]) => (group ? `-${pid}` : String(pid)));
}

function writeList(): void {
  writeFileSync(listFile!, targets().join(' '), { mode: 0o600 });
}

function startWatcher(): void {
  listFile = join(tmpdir(), `ferry-test-children-${process.pid}`);
  writeList();
  // Polls once a second for this process; then kills what the list names (each still a child: exits are taken off).
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; p=$(cat "$2" 2>/dev/null); [ -n "$p" ] && kill -9 -- $p 2>/dev/null; rm -f "$2"';
  const watcher = spawn('bash', ['-c', script, 'ferry-test-guard', String(process.pid), listFile], { detached: true, stdio: 'ignore' });
  watcher.on('error', () => {});
  watcher.unref();
  process.on('exit', () => {
    for (const t of targets()) {
      try {
        process.kill(Number(t), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    guarded.clear();
    rmSync(listFile!, { force: true });
  });
}

/** Registers a started child (with `group`, its process group) to be killed should this test process end first. */
export function guardChild(child: ChildProcess, group = false): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (listFile === undefined) startWatcher();
  guarded.set(pid, group);
  writeList();
  child.once('exit', () => {
    guarded.delete(pid);
    writeList();
  });
}
