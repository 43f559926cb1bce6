// The search view (/search?q=&follow=&from=&to=): what was said in the workspace's videos (GET
// /v1/memory/search). Words match in any form ("volcanoes" finds "volcano"), "a phrase in
// quotes" word for word; a follow and an upload date range narrow it. Each hit links to its job
// and to the moment in the video; the words that matched are marked, as the server found them
// (snippet_parts), not guessed here.
import { h, replace, externalLink } from '../dom.js';
import { api } from '../api.js';
import { errorSlot, emptyState } from '../components.js';
import { clock } from '../format.js';

/** The filters the address carries, as the API names them. */
const FILTERS = ['follow', 'from', 'to'];

/** A snippet's parts as text and <mark>s. */
export function markedSnippet(hit) {
  const frag = document.createDocumentFragment();
  const parts = hit.snippet_parts || [{ text: hit.snippet || '', match: false }];
  for (const part of parts)
    frag.append(part.match ? h('mark', null, part.text) : document.createTextNode(part.text));
  return frag;
}

/** "2026-01-15" for an upload date, or nothing. */
function uploaded(hit) {
  return hit.upload_date ? h('span', { class: 'muted hit-date', testid: 'hit-date' }, hit.upload_date) : null;
}

export async function searchPage(ctx) {
  const q = (ctx.query.get('q') || '').trim();
  const chosen = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) || '']));
  ctx.title(q ? `Search: ${q}` : 'Search');
  const errors = errorSlot();
  const input = h('input', {
    id: 'search-q', name: 'q', type: 'search', value: q, autocomplete: 'off',
    placeholder: 'What was said\u2026', testid: 'search-input', 'aria-label': 'Search the transcripts',
  });
  const button = h('button', { type: 'submit', class: 'button-primary', testid: 'search-button' }, 'Search');
  const follow = h('select', { id: 'search-follow', name: 'follow', testid: 'search-follow' },
    h('option', { value: '' }, 'All channels'));
  // The chosen follow stays chosen while the follows load, and if they cannot be read.
  if (chosen.follow) {
    follow.append(h('option', { value: chosen.follow }, `Follow ${chosen.follow}`));
    follow.value = chosen.follow;
  }
  const from = h('input', { id: 'search-from', name: 'from', type: 'date', value: chosen.from, testid: 'search-from' });
  const to = h('input', { id: 'search-to', name: 'to', type: 'date', value: chosen.to, testid: 'search-to' });
  const filters = h('div', { class: 'search-filters' },
    h('label', { for: 'search-follow' }, 'Channel ', follow),
    h('label', { for: 'search-from' }, 'Uploaded from ', from),
    h('label', { for: 'search-to' }, 'to ', to));
  const form = h('form', { role: 'search', class: 'search-form' }, input, button);
  const results = h('div', { class: 'results', 'aria-live': 'polite' });

  const address = (next) => {
    const params = new URLSearchParams();
    if (next) params.set('q', next);
    if (follow.value) params.set('follow', follow.value);
    if (from.value) params.set('from', from.value);
    if (to.value) params.set('to', to.value);
    const s = params.toString();
    return s ? `/search?${s}` : '/search';
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(address(input.value.trim()));
  });
  for (const el of [follow, from, to])
    el.addEventListener('change', () => { if (input.value.trim()) ctx.navigate(address(input.value.trim())); });

  replace(ctx.root, h('h1', null, 'Search'), form, filters,
    h('p', { class: 'muted search-tips' }, 'Words match in any form; put a phrase in \u201cquotes\u201d to find it word for word.'),
    errors.el, results);
  // The follows for the channel filter (a viewer may read them); the page works without them.
  api('/v1/follows', { signal: ctx.signal }).then((data) => {
    if (!ctx.alive()) return;
    follow.replaceChildren(h('option', { value: '' }, 'All channels'));
    for (const f of data?.follows || [])
      follow.append(h('option', { value: String(f.id) }, f.uploader || f.channel_url));
    if (chosen.follow && ![...follow.options].some((o) => o.value === chosen.follow))
      follow.append(h('option', { value: chosen.follow }, `Follow ${chosen.follow}`));
    follow.value = chosen.follow;
  }, () => {});
  if (!q) {
    input.focus();
    replace(results, emptyState(
      'Search what was said in this workspace\u2019s videos: words, names, a phrase. Each hit plays the video at that moment.',
      [], 'search-hint'));
    return;
  }

  replace(results, h('p', { class: 'muted' }, 'Searching\u2026'));
  const params = new URLSearchParams({ q, limit: '25' });
  for (const k of FILTERS) if (chosen[k]) params.set(k, chosen[k]);
  let data;
  try {
    data = await api(`/v1/memory/search?${params}`, { signal: ctx.signal });
  } catch (err) {
    if (!ctx.alive() || err?.name === 'AbortError') return;
    results.replaceChildren();
    errors.show(err);
    return;
  }
  if (!ctx.alive()) return;
  const hits = data?.hits || [];
  if (!hits.length) {
    replace(results, emptyState(`Nothing found for \u201c${q}\u201d. Try other words, fewer, or wider filters.`, [], 'search-empty'));
    return;
  }
  replace(results,
    h('p', { class: 'muted', testid: 'search-count' }, `${hits.length} ${hits.length === 1 ? 'passage' : 'passages'} for \u201c${q}\u201d`),
    h('ol', { class: 'hits', testid: 'search-results' }, hits.map((hit) => {
      const at = clock((hit.start_ms || 0) / 1000);
      return h('li', { class: 'hit', testid: 'hit' },
        h('div', { class: 'hit-head' },
          h('a', { class: 'hit-title', href: `/jobs/${encodeURIComponent(hit.job_id)}` }, hit.title || hit.url || `Job ${hit.job_id}`),
          uploaded(hit),
          externalLink(hit.moment_url, `[${at}]`, {
            class: 'moment', testid: 'hit-moment', title: `Play from ${at} (opens the video in a new tab)`,
          })),
        h('p', { class: 'snippet' }, markedSnippet(hit)));
    })));
}
