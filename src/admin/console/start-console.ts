import type { Logger } from 'pino';
import type { RunningFerry } from '../../runtime/ferry.js';
import { consoleRoutes, type ConsoleRoutes } from './console-routes.js';
import { RuleSampler } from './rule-sampler.js';

export interface RunningConsole {
  routes: ConsoleRoutes;
  stop(): void;
}

/** The web console of a running Ferry's admin listener: its routes, and the sampler that fills its charts. */
export function startConsole(running: Pick<RunningFerry, 'journal' | 'config'>, opts: { sampleEveryMs?: number; log: Logger }): RunningConsole {
  const sampler = new RuleSampler(running.journal, () => running.config.rules, opts.sampleEveryMs ?? 60_000, opts.log);
  sampler.start();
  // The admin listener keeps the token it started with; a reload does not change it.
  const tokenConfigured = running.config.admin?.token !== undefined;
  const routes = consoleRoutes({ journal: running.journal, sampler, rules: () => running.config.rules, tokenConfigured: () => tokenConfigured });
  return { routes, stop: () => sampler.stop() };
}
