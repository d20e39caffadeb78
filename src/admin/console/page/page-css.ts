/** The console's style sheet: plain, dense, readable in a narrow window. */
export const PAGE_CSS = `
:root { --fg: #1d2430; --muted: #667085; --line: #d8dde6; --bg: #f6f7f9; --ok: #137333; --bad: #b3261e; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .6rem 1.2rem; background: #102a43; color: #fff; }
header h1 { margin: 0; font-size: 1.2rem; }
header .muted { color: #bcccdc; }
header button { margin-left: auto; }
main, #login { padding: 0 1.2rem 2rem; }
section { margin-top: 1.2rem; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { font-family: ui-monospace, monospace; white-space: nowrap; }
.wide { overflow-x: auto; }
#rules th { white-space: normal; }
td.key, .key { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
.state-enabled, .state-shipped, .ok { color: var(--ok); font-weight: 600; }
.state-disabled, .state-held, .state-pending, .state-intent { color: var(--warn); font-weight: 600; }
.state-failed, .bad { color: var(--bad); font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 1rem; }
.chart { margin: 0; padding: .5rem; background: #fff; border: 1px solid var(--line); }
.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.chart figcaption .muted { font-weight: 400; font-size: .85rem; }
.chart .plot { min-height: 200px; }
.chart .latest { margin: .3rem 0 0; }
.failed-rule { margin-bottom: 1rem; }
.failed-rule h3 { font-size: .95rem; margin: .3rem 0; display: flex; gap: 1rem; align-items: baseline; }
.search { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: .5rem; }
.search label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.search input, .search select { font: inherit; padding: .2rem .3rem; min-width: 9rem; }
#results tbody tr { cursor: pointer; }
#results tbody tr:hover, #results tbody tr.selected { background: #e8f0fe; }
#detail { margin-top: 1rem; background: #fff; border: 1px solid var(--line); padding: .6rem; }
#detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 .6rem; }
#detail dt { color: var(--muted); }
#detail dd { margin: 0; font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
#chain { margin-top: .5rem; }
button { font: inherit; padding: .25rem .7rem; cursor: pointer; }
a.seq { color: #1a56db; cursor: pointer; text-decoration: underline; }
`;
