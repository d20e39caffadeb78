/**
 * Browser code: calls to the admin listener's data routes. The token (entered in the page, or given once as
 * ?token= and then taken out of the address) is kept in sessionStorage, so it lives as long as the tab, and goes
 * in an Authorization header; it is never written to the console or the page.
 */
export const ADMIN_API = String.raw`
var TOKEN_KEY = 'ferry.admin.token';

function Unauthorized() { this.message = 'the admin token is missing or wrong'; }

function takeTokenFromAddress() {
  var url = new URL(location.href);
  var token = url.searchParams.get('token');
  if (token === null) return;
  if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function api(path, init) {
  init = init || {};
  var headers = new Headers(init.headers || {});
  var token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.set('authorization', 'Bearer ' + token);
  return fetch(path, { method: init.method || 'GET', headers: headers, body: init.body, cache: 'no-store', credentials: 'omit' })
    .then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (res.status === 401) throw new Unauthorized();
        if (!res.ok) throw new Error(body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status);
        return body;
      });
    });
}

function postJson(path, value) {
  return api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
}
`;
