/** Browser code: the hash chain check (`ferry journal verify`), on demand since it reads the whole journal. */
export const CHAIN_VIEW = String.raw`
function verifyChain() {
  var box = $('chain');
  box.replaceChildren(el('p', { class: 'muted', text: 'verifying…' }));
  return api('/console/api/chain').then(function (r) {
    var summary = r.rows + ' rows checked, ' + r.verified + ' verified, ' + r.checkpoints + ' retention gap(s) crossed by checkpoints; head seq ' +
      r.head.seq + ' hash ' + r.head.hash;
    var verdict = r.ok ? el('p', { class: 'ok', id: 'chain-verdict', text: 'journal chain OK' })
      : el('p', { class: 'bad', id: 'chain-verdict', text: 'JOURNAL_TAMPERED: ' + r.problems.length + ' problem(s)' });
    box.replaceChildren.apply(box, [verdict, el('p', { class: 'muted', text: summary })].concat(r.problems.map(function (p) {
      return el('p', { class: 'bad', text: 'seq ' + p.seq + ' (' + p.kind + '): ' + visible(p.detail) });
    })));
  }, function (err) {
    if (err instanceof Unauthorized) return needToken();
    box.replaceChildren(el('p', { class: 'error', text: visible(err.message) }));
  });
}
`;
