import { ADMIN_API } from './script/admin-api.js';
import { CHAIN_VIEW } from './script/chain-view.js';
import { CHARTS_VIEW } from './script/charts-view.js';
import { CONSOLE_MAIN } from './script/console-main.js';
import { DOM } from './script/dom.js';
import { FAILED_VIEW } from './script/failed-view.js';
import { FORMAT_TEXT } from './script/format-text.js';
import { JOURNAL_VIEW } from './script/journal-view.js';
import { RULES_VIEW } from './script/rules-view.js';

/** The page's script: its parts in one strict-mode function, so nothing leaks into the page's globals. */
export const PAGE_SCRIPT = `(function () {
'use strict';
${[FORMAT_TEXT, DOM, ADMIN_API, RULES_VIEW, CHARTS_VIEW, FAILED_VIEW, JOURNAL_VIEW, CHAIN_VIEW, CONSOLE_MAIN].join('\n')}
})();
`;
