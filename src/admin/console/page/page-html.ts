/**
 * The console's one page: a shell the script fills in. It holds no data, so it is served without the token; what it
 * shows comes from the data routes, which the script calls with the token.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Ferry console</title>
<link rel="stylesheet" href="/console/assets/uplot.css">
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/uplot.js" defer></script>
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<header>
  <h1>Ferry</h1>
  <span id="updated" class="muted">connecting…</span>
  <button id="sign-out" type="button" hidden>Forget token</button>
</header>
<section id="login" hidden>
  <h2>Admin token</h2>
  <p>This admin listener needs its token (<code>admin.token</code>). It is kept in this tab only.</p>
  <form id="login-form" autocomplete="off">
    <input id="login-token" type="password" aria-label="admin token" required>
    <button type="submit">Open</button>
  </form>
  <p id="login-message" class="error"></p>
</section>
<main id="main" hidden>
  <section>
    <h2>Rules</h2>
    <div class="wide"><table id="rules">
      <thead><tr><th>rule</th><th>source</th><th>target</th><th>state</th><th>pending changes</th><th>pending keys</th>
        <th>pending bytes</th><th>failed keys</th><th>failed changes</th><th>oldest pending</th><th>lag p50</th><th>lag p99</th>
        <th>shipped last min</th><th>shipped last hour</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>
  <section>
    <h2>Last hours</h2>
    <div class="charts">
      <figure id="chart-lag" class="chart"><figcaption>Lag, seconds <span class="muted">(p99 of what shipped in the minute, or the oldest waiting change's age if more)</span></figcaption><div class="plot"></div><p class="latest muted"></p></figure>
      <figure id="chart-pending" class="chart"><figcaption>Pending changes</figcaption><div class="plot"></div><p class="latest muted"></p></figure>
      <figure id="chart-shipped" class="chart"><figcaption>Shipped per minute</figcaption><div class="plot"></div><p class="latest muted"></p></figure>
    </div>
  </section>
  <section>
    <h2>Failed keys</h2>
    <p id="retry-result" class="muted"></p>
    <div id="failed"></div>
  </section>
  <section>
    <h2>Journal</h2>
    <form id="search" class="search">
      <label>key prefix <input name="prefix"></label>
      <label>client <input name="client" placeholder="access key id"></label>
      <label>operation <input name="op" list="operations"></label>
      <label>state <select name="state">
        <option value="">any</option><option>pending</option><option>shipped</option><option>failed</option><option>held</option>
        <option>cancelled</option><option>rejected</option><option>unchanged</option><option>intent</option></select></label>
      <label>rule <select name="rule"><option value="">any</option></select></label>
      <label>since <input name="since" placeholder="1h or 2026-01-31T12:00"></label>
      <label>until <input name="until" placeholder="ISO time or 15m"></label>
      <button type="submit">Search</button>
    </form>
    <datalist id="operations">
      <option value="PutObject"></option><option value="CopyObject"></option><option value="CompleteMultipartUpload"></option>
      <option value="DeleteObject"></option><option value="DeleteObjects"></option><option value="PutObjectTagging"></option>
      <option value="DeleteObjectTagging"></option><option value="PutObjectAcl"></option><option value="PostObject"></option>
    </datalist>
    <p id="search-message" class="muted"></p>
    <table id="results">
      <thead><tr><th>seq</th><th>time (UTC)</th><th>rule</th><th>operation</th><th>bucket/key</th><th>client</th><th>state</th><th>size</th><th>lag</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="detail" hidden></div>
  </section>
  <section>
    <h2>Hash chain</h2>
    <button id="verify" type="button">Verify the chain</button>
    <div id="chain"></div>
  </section>
</main>
</body>
</html>
`;
