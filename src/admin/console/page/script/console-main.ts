/**
 * Browser code: start-up, the token prompt and the live refresh. The page polls its one overview route every
 * two seconds (an EventSource could not send the token in a header); a poll waits for the one before it.
 */
export const CONSOLE_MAIN = String.raw`
var POLL_MS = 2000;
var pollTimer = null;

function needToken(message) {
  clearTimeout(pollTimer);
  pollTimer = null;
  $('main').hidden = true;
  $('login').hidden = false;
  $('sign-out').hidden = true;
  $('updated').textContent = 'signed out';
  $('login-message').textContent = message || (sessionStorage.getItem(TOKEN_KEY) ? 'that token was refused' : '');
  $('login-token').focus();
}

function refresh() {
  clearTimeout(pollTimer);
  return api('/console/api/overview').then(function (o) {
    $('login').hidden = true;
    $('main').hidden = false;
    $('sign-out').hidden = !sessionStorage.getItem(TOKEN_KEY);
    renderRules(o.rules);
    renderCharts(o.series, o.rules);
    renderFailed(o.failed);
    $('updated').textContent = 'updated ' + formatTime(Date.parse(o.at)) + ' UTC';
    pollTimer = setTimeout(refresh, POLL_MS);
  }, function (err) {
    if (err instanceof Unauthorized) return needToken();
    $('updated').textContent = 'cannot reach Ferry: ' + visible(err.message);
    pollTimer = setTimeout(refresh, POLL_MS);
  });
}

function start() {
  takeTokenFromAddress();
  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('login-token');
    sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = '';
    $('login-message').textContent = '';
    refresh();
  });
  $('sign-out').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    needToken('token forgotten');
  });
  $('search').addEventListener('submit', searchJournal);
  $('verify').addEventListener('click', verifyChain);
  refresh();
}

start();
`;
