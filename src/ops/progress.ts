import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** A live counter line on the terminal; lines logged meanwhile print above it. */
export interface Progress {
  update(values: Record<string, number | string>): void;
  /** Writes a line of results: above the bar when stdout is the same terminal, else straight to stdout. */
  log(line: string): void;
  stop(): void;
}

/**
 * A progress display on stderr when it is a terminal; quiet otherwise (pipes, files, CI), where only the
 * results are written. `format` uses cli-progress placeholders plus the keys passed to `update`.
 */
export function createProgress(format: string, initial: Record<string, number | string>,
  enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) {
    return { update() {}, log: (line) => void process.stdout.write(line), stop() {} };
  }
  const multi = new MultiBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: false, fps: 8 },
    Presets.shades_classic);
  const bar: SingleBar = multi.create(0, 0, initial);
  let value = 0;
  let stopped = false;
  return {
    update(values) {
      if (typeof values.value === 'number') value = values.value;
      bar.update(value, values);
    },
    log(line) {
      if (process.stdout.isTTY) multi.log(line);
      else process.stdout.write(line);
    },
    stop() {
      if (!stopped) multi.stop();
      stopped = true;
    },
  };
}
