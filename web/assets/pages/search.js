// The search view (/search?q=): what was said in the workspace's videos (GET
// /v1/memory/search). Each hit links to its job and to the moment in the video; the query's
// words are marked in the snippet.
import { h, replace, externalLink, highlightWords } from '../dom.js';
import { api } from '../api.js';
import { errorSlot, emptyState } from '../components.js';
import { clock } from '../format.js';

/** The query's words, lower case. */
export function queryWords(q) {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []);
}

export async function searchPage(ctx) {
  const q = (ctx.query.get('q') || '').trim();
  ctx.title(q ? `Search: ${q}` : 'Search');
  const errors = errorSlot();
  const input = h('input', {
    id: 'search-q', name: 'q', type: 'search', value: q, autocomplete: 'off',
    placeholder: 'What was said…', testid: 'search-input', 'aria-label': 'Search the transcripts',
  });
  const button = h('button', { type: 'submit', class: 'button-primary', testid: 'search-button' }, 'Search');
  const form = h('form', { role: 'search', class: 'search-form' }, input, button);
  const results = h('div', { class: 'results', 'aria-live': 'polite' });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = input.value.trim();
    ctx.navigate(next ? `/search?q=${encodeURIComponent(next)}` : '/search');
  });

  replace(ctx.root, h('h1', null, 'Search'), form, errors.el, results);
  if (!q) {
    input.focus();
    replace(results, emptyState(
      'Search what was said in this workspace\u2019s videos: words, names, a phrase. Each hit plays the video at that moment.',
      [], 'search-hint'));
    return;
  }

  replace(results, h('p', { class: 'muted' }, 'Searching…'));
  let data;
  try {
    data = await api(`/v1/memory/search?q=${encodeURIComponent(q)}&limit=25`, { signal: ctx.signal });
  } catch (err) {
    if (!ctx.alive() || err?.name === 'AbortError') return;
    results.replaceChildren();
    errors.show(err);
    return;
  }
  if (!ctx.alive()) return;
  const hits = data?.hits || [];
  if (!hits.length) {
    replace(results, emptyState(`Nothing found for \u201c${q}\u201d. Try other words, or fewer.`, [], 'search-empty'));
    return;
  }
  const words = queryWords(q);
  const matches = (w) => {
    const lw = w.toLowerCase();
    return words.some((qw) => lw.startsWith(qw));
  };
  replace(results,
    h('p', { class: 'muted', testid: 'search-count' }, `${hits.length} ${hits.length === 1 ? 'passage' : 'passages'} for \u201c${q}\u201d`),
    h('ol', { class: 'hits', testid: 'search-results' }, hits.map((hit) => {
      const at = clock((hit.start_ms || 0) / 1000);
      return h('li', { class: 'hit', testid: 'hit' },
        h('div', { class: 'hit-head' },
          h('a', { class: 'hit-title', href: `/jobs/${encodeURIComponent(hit.job_id)}` }, hit.title || hit.url || `Job ${hit.job_id}`),
          externalLink(hit.moment_url, `[${at}]`, {
            class: 'moment', testid: 'hit-moment', title: `Play from ${at} (opens the video in a new tab)`,
          })),
        h('p', { class: 'snippet' }, highlightWords(hit.snippet || '', matches)));
    })));
}
