import type { RuleConfig } from '../../config/types.js';
import { FerryError } from '../../errors/ferry-error.js';
import type { JournalStore } from '../../journal/journal-store.js';
import { requireRule } from '../../rules/edit-config.js';
import { changeDetail } from './change-detail.js';
import { consoleOverview } from './console-overview.js';
import { queryOf, readJsonBody, refusedBrowserRequest, sendConsoleError, sendJson, type ConsoleRoute } from './http-io.js';
import { searchJournal } from './journal-search.js';
import type { RuleSampler } from './rule-sampler.js';
import { sharedFor } from './shared-answer.js';
import { ASSETS, sendAsset } from './static-assets.js';

/** What the console reads and does; getters, so a reload's rules are the ones shown. */
export interface ConsoleDeps {
  journal: JournalStore;
  rules(): RuleConfig[];
  tokenConfigured(): boolean;
  sampler: RuleSampler;
}

/** The console's routes: `page` (its files, the same for everyone and free of data) and `data` (behind the token). */
export interface ConsoleRoutes {
  page: Record<string, ConsoleRoute>;
  data: Record<string, ConsoleRoute>;
}

const held = (rules: RuleConfig[]) => rules.filter((r) => !r.enabled).map((r) => r.id);
// The page polls every two seconds; tabs polling within a second of each other share one read.
const OVERVIEW_SHARED_MS = 1_000;

export function consoleRoutes(d: ConsoleDeps): ConsoleRoutes {
  const page: Record<string, ConsoleRoute> = {};
  for (const [path, asset] of Object.entries(ASSETS)) page[`GET ${path}`] = async (req, res) => { req.resume(); sendAsset(res, asset); };

  // Each data route answers only a request from the console's own origin (see refusedBrowserRequest).
  const guarded = (route: ConsoleRoute): ConsoleRoute => async (req, res) => {
    const why = refusedBrowserRequest(req, d.tokenConfigured());
    if (why) {
      req.resume();
      sendConsoleError(res, 403, 'FORBIDDEN', why);
      return;
    }
    try {
      await route(req, res);
    } catch (err) {
      if (err instanceof FerryError && err.code === 'JOURNAL_ROW_NOT_FOUND') sendConsoleError(res, 404, err.code, err.message);
      else throw err;
    }
  };
  const get = (answer: (q: Record<string, string>) => Promise<unknown>): ConsoleRoute => guarded(async (req, res) => {
    req.resume();
    sendJson(res, 200, await answer(queryOf(req)));
  });

  const overview = sharedFor(OVERVIEW_SHARED_MS, () => consoleOverview(d.journal, d.rules(), d.sampler));
  const data: Record<string, ConsoleRoute> = {
    'GET /console/api/overview': get(overview),
    'GET /console/api/journal': get((q) => searchJournal(d.journal, held(d.rules()), q)),
    'GET /console/api/change': get((q) => changeDetail(d.journal, held(d.rules()), q.seq)),
    'GET /console/api/chain': get(() => d.journal.verifyChain()),
    'POST /console/api/retry': guarded(async (req, res) => {
      const body = await readJsonBody(req);
      if (typeof body?.rule !== 'string') {
        sendConsoleError(res, 400, 'OPTION_INVALID', 'send {"rule": "<rule id>"}');
        return;
      }
      const rule = requireRule(d.rules(), body.rule).id;
      const result = await d.journal.retryFailed(rule);
      // The shipper takes the keys at once rather than at its next poll.
      d.journal.emit('commit');
      sendJson(res, 200, { rule, ...result });
    }),
  };
  return { page, data };
}
