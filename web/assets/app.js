// The page's entry point: asks the node who is signed in, draws the header (nav, who, sign
// out, live indicator) and routes the address to a page module with the History API. Sign-in
// redirects (remembering where the user wanted to go), 401s and in-app links are handled here.
import { h, replace } from './dom.js';
import {
  loadSession, session, isOperator, signOut, onUnauthorized, forgetSession, isUnauthorized,
} from './api.js';
import { startLive, stopLive, onLive, liveStatus } from './live.js';
import { startTimeTicker } from './format.js';
import { errorSlot } from './components.js';
import { notFoundView } from './pages/notfound.js';
import { signinPage } from './pages/signin.js';
import { overviewPage } from './pages/overview.js';
import { submitPage } from './pages/submit.js';
import { jobPage } from './pages/job.js';
import { searchPage } from './pages/search.js';
import { followsPage } from './pages/follows.js';

const routes = [
  { re: /^\/$/, page: overviewPage, nav: '/' },
  { re: /^\/submit$/, page: submitPage, nav: '/submit' },
  { re: /^\/jobs\/(\d+)$/, page: jobPage },
  { re: /^\/search$/, page: searchPage, nav: '/search' },
  { re: /^\/follows$/, page: followsPage, nav: '/follows' },
  { re: /^\/signin$/, page: signinPage },
];

/** Paths the browser must load itself (API, files), never routed in the page. */
const serverPaths = /^\/(v1|assets|healthz|metrics|discord)(\/|$)/;

let view = null; // the shown page: {cleanups: [], controller}
let flash = null; // a notice for the next page (e.g. "already known")
let signinNote = null; // {error} or {notice} for the sign-in view
let wired = false;

/** Where to go after signing in: an app path only (never another site). */
function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') ||
      next.startsWith('/\\') || next.startsWith('/signin') || serverPaths.test(next))
    return '/';
  return next;
}

/** Goes to `path` inside the page; `flash` is a notice the next page shows once. */
export function navigate(path, { replace: replaceEntry = false, flash: note = null } = {}) {
  flash = note;
  const same = path === location.pathname + location.search + location.hash;
  history[replaceEntry || same ? 'replaceState' : 'pushState'](null, '', path);
  render({ focus: true });
}

function signinPath() {
  const here = location.pathname + location.search;
  const next = safeNext(here);
  return next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`;
}

function drawHeader(path) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const s = session();
  if (!s) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const items = [['/', 'Overview'], ['/search', 'Search'], ['/follows', 'Follows']];
  if (isOperator()) items.push(['/submit', 'Submit']);
  const active = routes.find((r) => r.re.test(path))?.nav ?? (path.startsWith('/jobs/') ? '/' : null);
  replace(nav, h('ul', null, items.map(([href, text]) =>
    h('li', null, h('a', { href, 'aria-current': href === active ? 'page' : null, testid: `nav-${text.toLowerCase()}` }, text)))));
  const out = h('button', { type: 'button', class: 'button-quiet', testid: 'signout-button' }, 'Sign out');
  out.addEventListener('click', () => doSignOut(out));
  replace(who,
    h('span', { id: 'live', class: `live live-${liveStatus()}`, testid: 'live-status', title: liveTitle(liveStatus()) },
      h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('span', { class: 'live-text' }, liveText(liveStatus()))),
    h('span', { class: 'who-name', testid: 'who', title: 'tenant / workspace' }, `${s.tenant} / ${s.workspace}`),
    h('span', { class: `badge badge-role`, testid: 'who-role' }, s.role),
    out);
}

function liveText(status) {
  return { live: 'live', connecting: 'connecting', reconnecting: 'reconnecting', off: 'offline' }[status] || status;
}

function liveTitle(status) {
  return status === 'live' ? 'Live updates from the node are on'
    : 'Live updates are not connected; the page tries again by itself';
}

function updateLive(status) {
  const el = document.getElementById('live');
  if (!el) return;
  el.className = `live live-${status}`;
  el.title = liveTitle(status);
  el.querySelector('.live-text').textContent = liveText(status);
}

async function doSignOut(button) {
  button.disabled = true;
  try {
    await signOut();
    signinNote = { notice: 'You are signed out.' };
  } catch (err) {
    signinNote = { error: `${err.message} The session may still be open on the node.` };
  }
  forgetSession();
  stopLive();
  navigate('/signin');
}

function afterSignIn(next) {
  startLive();
  navigate(safeNext(next), { replace: true });
}

function render({ focus = false } = {}) {
  if (view) {
    view.controller.abort();
    for (const fn of view.cleanups.splice(0)) {
      try {
        fn();
      } catch (e) {
        console.error(e);
      }
    }
  }
  const me = { cleanups: [], controller: new AbortController() };
  view = me;
  const url = new URL(location.href);
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (!session() && path !== '/signin') {
    history.replaceState(null, '', signinPath());
    return render({ focus });
  }
  if (session() && path === '/signin') {
    history.replaceState(null, '', safeNext(url.searchParams.get('next')));
    return render({ focus });
  }
  drawHeader(path);
  const main = document.getElementById('main');
  const root = h('div', { class: 'view' });
  replace(main, root);
  document.title = 'vfb';

  let route = null;
  let match = null;
  for (const r of routes) {
    match = r.re.exec(path);
    if (match) {
      route = r;
      break;
    }
  }
  const ctx = {
    root,
    path,
    params: match ? match.slice(1) : [],
    query: url.searchParams,
    session: session(),
    operator: isOperator(),
    signal: me.controller.signal,
    alive: () => view === me,
    onCleanup: (fn) => me.cleanups.push(fn),
    navigate,
    flash: flash,
    signinNote,
    afterSignIn,
    title: (t) => { document.title = t ? `${t} · vfb` : 'vfb'; },
    notFound: (text) => notFoundView(root, text, ctx),
  };
  flash = null;
  signinNote = null;
  if (focus) {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
  Promise.resolve()
    .then(() => (route ? route.page(ctx) : ctx.notFound()))
    .catch((err) => {
      if (!ctx.alive() || isUnauthorized(err) || err?.name === 'AbortError') return;
      console.error(err);
      const slot = errorSlot();
      slot.show(err);
      const again = h('button', { type: 'button', testid: 'retry-load' }, 'Try again');
      again.addEventListener('click', () => render());
      root.prepend(h('div', { class: 'load-failed' }, slot.el, again));
    });
}

function onLinkClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || serverPaths.test(url.pathname)) return;
  // An anchor on this very page (the skip link): the browser scrolls to it.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

function bootFailed(err) {
  const main = document.getElementById('main');
  const slot = errorSlot();
  slot.show(err);
  const again = h('button', { type: 'button', testid: 'retry-load' }, 'Try again');
  again.addEventListener('click', () => boot());
  replace(main, h('div', { class: 'view' }, h('h1', null, 'vfb'), slot.el, again));
}

async function boot() {
  if (!wired) {
    wired = true;
    document.addEventListener('click', onLinkClick);
    window.addEventListener('popstate', () => render({ focus: true }));
    onLive('status', updateLive);
    onUnauthorized((err) => {
      if (!session() && location.pathname === '/signin') return;
      const target = signinPath();
      forgetSession();
      stopLive();
      signinNote = { error: err.message };
      navigate(target, { replace: true });
    });
    startTimeTicker();
  }
  try {
    await loadSession();
  } catch (err) {
    bootFailed(err);
    return;
  }
  if (session()) startLive();
  render();
}

boot();
