/**
 * Browser code: how the page shows text and figures, as `ferry journal` prints them. `visible` shows control and
 * reordering characters as escapes (`\x09`, `\u202E`), so a key reads as what it is; everything is then set
 * with textContent, never parsed as HTML.
 */
export const FORMAT_TEXT = String.raw`
var INVISIBLE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(text) {
  return String(text).replace(INVISIBLE, function (c) {
    if (c === '\\') return '\\\\';
    var code = c.charCodeAt(0);
    var hex = code.toString(16).toUpperCase();
    return code < 0x100 ? '\\x' + hex.padStart(2, '0') : '\\u' + hex;
  });
}

function formatBytes(n) {
  if (n === null || n === undefined) return '-';
  var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  var v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? v + ' B' : v.toFixed(1) + ' ' + units[u];
}

function formatSeconds(s) {
  if (s === null || s === undefined) return '-';
  if (s < 10) return s.toFixed(2) + 's';
  if (s < 60) return Math.round(s) + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + String(Math.round(s % 60)).padStart(2, '0') + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm';
  return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
}

function formatTime(ms) {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
`;
