// Real filesystems for the journal fault suite: a small tmpfs to fill up, and a loop-mounted ext4 image that
// the kernel turns read-only under a running writer (as it does after an I/O error with errors=remount-ro).
// Needs root (mount); `mountsAvailable` says whether this machine allows it.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Whether this process may mount filesystems (root with CAP_SYS_ADMIN, as in CI). */
export function mountsAvailable(scratch: string): boolean {
  const dir = join(scratch, 'probe');
  mkdirSync(dir, { recursive: true });
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    run('umount', [dir]);
    return true;
  } catch {
    return false;
  }
}

export interface Mount {
  dir: string;
  unmount(): void;
}

function unmounter(dir: string, after: () => void = () => {}): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    try {
      run('umount', [dir]);
    } catch {
      run('umount', ['-l', dir]);
    }
    after();
  };
}

/** A tmpfs of `bytes` at `dir`. */
export function mountTmpfs(dir: string, bytes: number): Mount {
  mkdirSync(dir, { recursive: true });
  run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  return { dir, unmount: unmounter(dir) };
}

/** Writes zeros to `dir/filler` until the filesystem is full; returns the filler's path (delete it to free the space). */
export function fillUp(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'a');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          writeSync(fd, block, 0, size);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export interface Ext4Mount extends Mount {
  image: string;
  /** Makes the kernel turn the filesystem read-only now, open files and all (ext4's trigger_fs_error). */
  forceReadOnly(): void;
  /** After unmount: repairs the image and mounts it again read-write. */
  remount(): void;
}

/** A loop-mounted ext4 image of `mib` MiB at `dir`, with errors=remount-ro. */
export function mountExt4(dir: string, image: string, mib: number): Ext4Mount {
  mkdirSync(dir, { recursive: true });
  run('truncate', ['-s', `${mib}M`, image]);
  run('mkfs.ext4', ['-q', '-F', image]);
  const mount = () => run('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
  mount();
  const m: Ext4Mount = {
    dir, image,
    unmount: unmounter(dir),
    forceReadOnly() {
      const device = run('findmnt', ['-n', '-o', 'SOURCE', dir]).trim();
      run('sh', ['-c', `echo 1 > /sys/fs/ext4/${basename(device)}/trigger_fs_error`]);
    },
    remount() {
      try {
        run('e2fsck', ['-fy', image]);
      } catch {
        // e2fsck exits 1 when it repaired something: that is what we want.
      }
      mount();
      m.unmount = unmounter(dir);
    },
  };
  return m;
}

export function removeImage(image: string): void {
  rmSync(image, { force: true });
}
