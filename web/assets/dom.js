// DOM helpers: every element the page shows is built here from data with createElement and
// text nodes, never from HTML strings, so nothing the API returns is ever parsed as markup.

/** Appends children to `el`: strings and numbers become text nodes; null, undefined and false
 *  are skipped; arrays are flattened. Returns `el`. */
export function append(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Creates an element. `props`: `class`, `text` (textContent), `testid` (data-testid), `on`
 *  ({event: handler}), `value`/`checked`/`disabled`/`selected` (set as properties), anything
 *  else as an attribute (true: present, false/null/undefined: absent). Inline styles and
 *  inline handlers are refused: the page's Content-Security-Policy would block them anyway. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else if (k === 'style' || k.startsWith('on')) throw new Error(`h(): '${k}' is not allowed`);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return append(el, children);
}

/** Replaces the children of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** The URL when it may be a link's target: only http(s) addresses from data. */
export function safeUrl(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
}

/** A link to another site that opens in a new tab; a plain span when `url` is not http(s). */
export function externalLink(url, children, props = {}) {
  const href = safeUrl(url);
  if (!href) return h('span', props, children);
  return h('a', { ...props, href, target: '_blank', rel: 'noopener noreferrer' }, children);
}

/** A link inside the app (`path` is built by the page itself, e.g. `/jobs/7`). */
export function appLink(path, children, props = {}) {
  return h('a', { ...props, href: path }, children);
}

/** Wraps every case-insensitive occurrence of `needle` in `text` in <mark>. */
export function highlightSubstring(text, needle) {
  const frag = document.createDocumentFragment();
  let last = 0;
  if (needle) {
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const m of text.matchAll(new RegExp(escaped, 'giu'))) {
      if (m.index > last) frag.append(document.createTextNode(text.slice(last, m.index)));
      frag.append(h('mark', null, m[0]));
      last = m.index + m[0].length;
    }
  }
  if (last < text.length) frag.append(document.createTextNode(text.slice(last)));
  return frag;
}
