/**
 * Browser code: the journal search (the filters of `ferry journal ls`) and one row in full with its shipping
 * history (what `ferry journal show` prints).
 */
export const JOURNAL_VIEW = String.raw`
function rowLag(r) {
  return r.shipped_at === null ? null : Math.max(0, r.shipped_at - (r.outcome_at === null ? r.created_at : r.outcome_at)) / 1000;
}

function searchJournal(event) {
  if (event) event.preventDefault();
  var params = new URLSearchParams();
  new FormData($('search')).forEach(function (v, k) { if (String(v).trim() !== '') params.set(k, String(v)); });
  $('search-message').textContent = 'searching…';
  return api('/console/api/journal?' + params.toString()).then(function (r) {
    var body = $('results').querySelector('tbody');
    body.replaceChildren.apply(body, r.rows.map(function (row) {
      return el('tr', { 'data-seq': String(row.seq), onclick: function () { showChange(row.seq); } }, [
        num(row.seq), td(formatTime(row.created_at)), td(visible(row.rule_id)), td(visible(row.operation)),
        td(visible(row.bucket + '/' + row.key), 'key'), td(visible(row.access_key_id)),
        td(row.shown_state, 'state-' + row.shown_state), td(formatBytes(row.size), 'num'), td(formatSeconds(rowLag(row)), 'num'),
      ]);
    }));
    $('search-message').textContent = r.rows.length === 0 ? 'no journal rows match'
      : r.rows.length + ' row(s), newest first' + (r.truncated ? ' (more match: narrow the search)' : '');
  }, function (err) {
    if (err instanceof Unauthorized) return needToken();
    $('search-message').textContent = visible(err.message);
  });
}

function seqLink(seq) {
  return el('a', { class: 'seq', href: '#', text: String(seq), onclick: function (e) { e.preventDefault(); showChange(seq); } });
}

function showChange(seq) {
  Array.prototype.forEach.call($('results').querySelectorAll('tbody tr'), function (tr) {
    tr.classList.toggle('selected', tr.getAttribute('data-seq') === String(seq));
  });
  return api('/console/api/change?seq=' + encodeURIComponent(seq)).then(renderChange, function (err) {
    if (err instanceof Unauthorized) return needToken();
    var box = $('detail');
    box.hidden = false;
    box.replaceChildren(el('p', { class: 'error', text: visible(err.message) }));
  });
}

function renderChange(d) {
  var r = d.row;
  var answer = r.origin === 'resync' ? 'none (a resync row: the shipper reads the source state)'
    : r.status === null ? '-' : r.status + ' at ' + formatTime(r.outcome_at) + ' UTC, request id ' + (r.request_id === null ? '-' : r.request_id);
  var fields = [
    ['seq', String(r.seq)], ['created', formatTime(r.created_at) + ' UTC'], ['rule', r.rule_id], ['operation', r.operation],
    ['bucket', r.bucket], ['key', r.key], ['client', r.access_key_id + ' from ' + (r.remote_addr || '-')], ['origin', r.origin],
    ['state', d.shown_state], ['source answer', answer], ['etag', r.etag === null ? '-' : r.etag],
    ['size', r.size === null ? '-' : r.size + ' (' + formatBytes(r.size) + ')'], ['version id', r.version_id === null ? '-' : r.version_id],
    ['shipped', r.shipped_at === null ? '-' : formatTime(r.shipped_at) + ' UTC (lag ' + formatSeconds(d.lag_seconds) + '), target etag ' +
      (r.target_etag === null ? '-' : r.target_etag)],
    ['last error', r.last_error === null ? '-' : r.last_error], ['writer', r.writer === null ? '-' : r.writer], ['hash', r.hash],
  ];
  var list = el('dl', null, []);
  fields.forEach(function (f) { list.append(el('dt', { text: f[0] }), el('dd', { 'data-field': f[0], text: visible(f[1]) })); });
  var history = d.history.length === 0
    ? el('p', { class: 'muted', text: 'no shipping attempts' + (r.state === 'rejected' ? ' (the source refused the change)' : '') })
    : el('table', { class: 'history' }, [
      el('thead', null, [el('tr', null, ['time (UTC)', 'result', 'covers up to', 'detail'].map(function (h) { return el('th', { text: h }); }))]),
      el('tbody', null, d.history.map(function (a) {
        return el('tr', null, [td(formatTime(a.at)), td(a.result, a.result === 'error' ? 'bad' : 'ok'), num(a.seq), td(a.detail === null ? '-' : visible(a.detail))]);
      })),
    ]);
  var box = $('detail');
  box.hidden = false;
  box.replaceChildren(el('h3', { text: 'Journal row ' + r.seq }), list,
    el('h4', { text: 'Shipping history (an attempt covers every unshipped change of the key up to its seq)' }), history);
}
`;
