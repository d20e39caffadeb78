/**
 * Browser code: failed keys grouped by rule, each with the error of its last attempt, and a button that puts the
 * rule's failed changes back in the queue (the journal's retryFailed, as `ferry journal retry --rule` does).
 */
export const FAILED_VIEW = String.raw`
function renderFailed(failed) {
  var box = $('failed');
  if (failed.keys.length === 0) {
    box.replaceChildren(el('p', { class: 'ok', text: 'no failed keys' }));
    return;
  }
  var byRule = {};
  failed.keys.forEach(function (k) { (byRule[k.rule] = byRule[k.rule] || []).push(k); });
  var groups = Object.keys(byRule).sort().map(function (rule) {
    var keys = byRule[rule];
    var button = el('button', { type: 'button', class: 'retry', 'data-rule': rule, text: 'Retry the failed keys of ' + visible(rule),
      onclick: function () { retryRule(rule, button); } });
    return el('div', { class: 'failed-rule', 'data-rule': rule }, [
      el('h3', null, [el('span', { text: visible(rule) + ': ' + keys.length + ' failed key' + (keys.length === 1 ? '' : 's') }), button]),
      el('table', { class: 'failed-keys' }, [
        el('thead', null, [el('tr', null, ['bucket', 'key', 'last error', 'failed changes', 'newest', 'seq'].map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', null, keys.map(function (k) {
          return el('tr', null, [td(visible(k.bucket), 'key'), td(visible(k.key), 'key'), td(k.error === null ? '-' : visible(k.error), 'error'),
            num(k.changes), td(formatTime(k.at)), el('td', null, [seqLink(k.seq)])]);
        })),
      ]),
    ]);
  });
  if (failed.truncated) groups.push(el('p', { class: 'muted', text: 'only the newest failed changes are listed' }));
  box.replaceChildren.apply(box, groups);
}

function retryRule(rule, button) {
  button.disabled = true;
  postJson('/console/api/retry', { rule: rule }).then(function (r) {
    $('retry-result').textContent = 'rule ' + visible(r.rule) + ': ' + r.changes + ' failed change(s) on ' + r.keys + ' key(s) queued again';
    refresh();
  }, function (err) {
    $('retry-result').textContent = 'retry failed: ' + visible(err.message);
    button.disabled = false;
  });
}
`;
