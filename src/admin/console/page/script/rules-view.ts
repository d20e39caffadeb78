/** Browser code: the rules table, one row per rule with its figures. */
export const RULES_VIEW = String.raw`
function renderRules(rules) {
  var body = $('rules').querySelector('tbody');
  body.replaceChildren.apply(body, rules.map(function (r) {
    var state = r.enabled ? 'enabled' : 'disabled';
    return el('tr', { 'data-rule': r.rule }, [
      td(visible(r.rule)), td(visible(r.source), 'path'), td(visible(r.target), 'path'), td(state, 'state-' + state),
      num(r.pending.operations), num(r.pending.keys), td(formatBytes(r.pending.bytes), 'num'),
      td(String(r.failedKeys), r.failedKeys > 0 ? 'num bad' : 'num'), num(r.failed),
      td(formatSeconds(r.pending.oldestAgeSeconds), 'num'),
      td(formatSeconds(r.lagSeconds.p50), 'num'), td(formatSeconds(r.lagSeconds.p99), 'num'),
      num(r.shipped.lastMinute), num(r.shipped.lastHour),
    ]);
  }));
  var select = document.querySelector('#search select[name=rule]');
  var known = Array.prototype.map.call(select.options, function (o) { return o.value; }).join('\n');
  var wanted = [''].concat(rules.map(function (r) { return r.rule; }));
  if (known !== wanted.join('\n')) {
    var chosen = select.value;
    select.replaceChildren.apply(select, wanted.map(function (id) { return el('option', { value: id, text: id === '' ? 'any' : visible(id) }); }));
    select.value = wanted.indexOf(chosen) >= 0 ? chosen : '';
  }
}
`;
