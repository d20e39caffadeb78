import { writeFileSync, rmSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../util/logger.js';
import { startFerry } from '../runtime/ferry.js';
import { listenError } from './listen-error.js';

/** `ferry serve` / `ferry ship`: runs until SIGINT/SIGTERM; SIGHUP reloads the configuration file. */
export async function runServe(file: string, opts: { gateway: boolean; shipper: boolean; listen?: string }): Promise<void> {
  const config = loadConfig(file);
  // Several gateways of a fleet can share one configuration file, each on its own address.
  if (opts.listen !== undefined) config.listen = opts.listen;
  const log = createLogger(config.log.level);
  const ferry = await startFerry(config, { ...opts, log }).catch((err: unknown) => {
    throw listenError(err, [
      ...(opts.gateway ? [{ what: 'the gateway', listen: config.listen, change: 'give another with --listen HOST:PORT or "listen" in the configuration' }] : []),
      ...(config.admin ? [{ what: 'the admin listener', listen: config.admin.listen, change: 'set another "admin.listen" in the configuration' }] : []),
    ]);
  });
  // Beside a SQLite journal, for `ferry rules` to signal; a fleet on PostgreSQL reloads through its admin listeners.
  const pidFile = config.journal.path === undefined ? undefined : `${config.journal.path}.${opts.gateway ? 'serve' : 'ship'}.pid`;
  if (pidFile) writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
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
    if (pidFile) rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
