/** Browser code: builds elements; text goes in through textContent only, so no data is ever read as markup. */
export const DOM = String.raw`
function el(tag, props, children) {
  var e = document.createElement(tag);
  if (props) {
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (v === undefined || v === null) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    });
  }
  (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
  return e;
}

function td(text, cls) { return el('td', { text: text, class: cls }); }
function num(n) { return td(n === null || n === undefined ? '-' : String(n), 'num'); }
function $(id) { return document.getElementById(id); }
`;
