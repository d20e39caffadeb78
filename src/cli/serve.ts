import { writeFileSync, rmSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../util/logger.js';
import { startFerry } from '../runtime/ferry.js';

/** `ferry serve` / `ferry ship`: runs until SIGINT/SIGTERM; SIGHUP reloads the configuration file. */
export async function runServe(file: string, opts: { gateway: boolean; shipper: boolean }): Promise<void> {
  const config = loadConfig(file);
  const log = createLogger(config.log.level);
  const ferry = await startFerry(config, { ...opts, log });
  const pidFile = `${config.journal.path}.${opts.gateway ? 'serve' : 'ship'}.pid`;
  writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
  if (ferry.address) process.stdout.write(`ferry listening on http://${ferry.address.address}:${ferry.address.port}\n`);
  else process.stdout.write('ferry shipper running\n');
  process.on('SIGHUP', () => {
    try {
      void ferry.reload(loadConfig(file)).catch((err: Error) => log.error({ err: err.message }, 'reload refused'));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'reload refused; keeping the running configuration');
    }
  });
  const stop = async () => {
    await ferry.stop();
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
