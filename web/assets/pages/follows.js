// The follows view (/follows): the channels, playlists and feeds the workspace follows, with
// their window, what they enqueued and when they are listed next. Operators add follows (the
// node lists the channel at once, which can take a while), pause, resume and remove them, and
// set the workspace's auto-follow; viewers see the same without the controls.
import { h, replace, externalLink } from '../dom.js';
import { api } from '../api.js';
import { badge, errorSlot, noticeSlot, emptyState } from '../components.js';
import { timeEl } from '../format.js';

export async function followsPage(ctx) {
  ctx.title('Follows');
  const errors = errorSlot();
  const notices = noticeSlot();
  const list = h('div', { class: 'follows', testid: 'follows' });
  const summary = h('p', { class: 'muted', testid: 'follows-summary' });
  const autoBox = h('div', { class: 'auto-follow' });
  const follows = new Map(); // id -> follow

  replace(ctx.root,
    h('h1', null, 'Follows'),
    notices.el,
    errors.el,
    ctx.operator ? addForm() : null,
    h('section', { class: 'card', 'aria-labelledby': 'h-auto' }, h('h2', { id: 'h-auto' }, 'Auto-follow'), autoBox),
    h('section', { class: 'card', 'aria-labelledby': 'h-follows' },
      h('h2', { id: 'h-follows' }, 'Followed channels'), summary, list));

  // ---- adding ----------------------------------------------------------------------------

  function addForm() {
    const url = h('input', {
      id: 'follow-url', name: 'url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'https://www.youtube.com/@handle', testid: 'follow-url', 'aria-describedby': 'follow-help',
    });
    const since = h('input', { id: 'follow-since', type: 'date', testid: 'follow-since' });
    const limit = h('input', { id: 'follow-limit', type: 'number', min: '1', max: '100000', inputmode: 'numeric', testid: 'follow-limit' });
    const button = h('button', { type: 'submit', class: 'button-primary', testid: 'follow-add' }, 'Follow');
    const busy = h('p', { class: 'busy', role: 'status', testid: 'follow-busy', hidden: true },
      h('progress', { 'aria-label': 'Listing the channel' }), ' Listing the channel\u2026 this can take a minute.');
    const form = h('form', { class: 'stack', novalidate: true },
      h('label', { for: 'follow-url' }, 'Channel, playlist or feed'),
      url,
      h('p', { id: 'follow-help', class: 'hint' },
        'A YouTube channel (', h('code', null, '@handle'), ', ', h('code', null, '/channel/UC…'),
        '), a playlist, or an RSS feed. The node lists it at once and queues the videos of its window; new uploads follow by themselves.'),
      h('details', null,
        h('summary', null, 'Window (optional)'),
        h('div', { class: 'inline-fields' },
          h('span', null, h('label', { for: 'follow-since' }, 'Videos since'), since),
          h('span', null, h('label', { for: 'follow-limit' }, 'At most'), limit))),
      h('div', null, button),
      busy);

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = url.value.trim();
      errors.clear();
      notices.clear();
      if (!value) {
        errors.show('Enter the channel, playlist or feed to follow first.');
        url.focus();
        return;
      }
      const body = { url: value };
      if (since.value) body.since = since.value;
      if (limit.value) {
        const n = Number(limit.value);
        if (!Number.isInteger(n) || n < 1) {
          errors.show('\u201cAt most\u201d must be a whole number of videos, 1 or more.');
          limit.focus();
          return;
        }
        body.limit = n;
      }
      button.disabled = true;
      button.textContent = 'Listing the channel\u2026';
      busy.hidden = false;
      try {
        const r = await api('/v1/follows', { method: 'POST', body, signal: ctx.signal });
        if (!ctx.alive()) return;
        url.value = '';
        const name = r.follow?.uploader || r.follow?.channel_url || value;
        const counts = `Listed ${r.listed ?? 0}, queued ${r.enqueued ?? 0}` +
          (r.duplicates ? `, ${r.duplicates} already known` : '') +
          (r.skipped ? `, ${r.skipped} skipped` : '') + '.';
        if (r.ok === false)
          notices.show(`${r.created ? 'Following' : 'Already following'} ${name}, but the listing failed: ${r.note || 'no reason given'}. It is listed again later.`, 'warn');
        else
          notices.show(`${r.created ? 'Now following' : 'Already following'} ${name}. ${counts}${r.note ? ` ${r.note}` : ''}`);
        await loadFollows();
      } catch (err) {
        if (!ctx.alive() || err?.name === 'AbortError') return;
        errors.show(err);
      } finally {
        if (ctx.alive()) {
          button.disabled = false;
          button.textContent = 'Follow';
          busy.hidden = true;
        }
      }
    });

    return h('section', { class: 'card', 'aria-labelledby': 'h-add' }, h('h2', { id: 'h-add' }, 'Follow a channel'), form);
  }

  // ---- auto-follow -----------------------------------------------------------------------

  function drawAuto(s) {
    const effective = h('span', { class: 'muted', testid: 'auto-follow-effective' },
      s.effective ? 'In effect: uploaders of processed videos are followed.' : 'Not in effect: uploaders are not followed.');
    if (!ctx.operator) {
      replace(autoBox,
        h('p', { testid: 'auto-follow-status' }, `Setting: ${s.setting}`), effective);
      return;
    }
    const select = h('select', { id: 'auto-follow', testid: 'auto-follow' },
      [['inherit', 'inherit (the node\u2019s default)'], ['on', 'on'], ['off', 'off']].map(([v, label]) =>
        h('option', { value: v, selected: v === s.setting }, label)));
    select.value = s.setting;
    select.addEventListener('change', async () => {
      const wanted = select.value;
      select.disabled = true;
      errors.clear();
      try {
        const r = await api('/v1/settings/auto-follow', { method: 'PUT', body: { setting: wanted }, signal: ctx.signal });
        if (ctx.alive()) {
          drawAuto(r);
          autoBox.querySelector('select')?.focus();
        }
      } catch (err) {
        if (!ctx.alive() || err?.name === 'AbortError') return;
        select.value = s.setting;
        select.disabled = false;
        errors.show(err);
      }
    });
    replace(autoBox,
      h('div', { class: 'inline-fields' },
        h('label', { for: 'auto-follow' }, 'Follow the uploader of every processed video'), select),
      effective);
  }

  // ---- the list --------------------------------------------------------------------------

  function drawSummary() {
    const all = [...follows.values()];
    const paused = all.filter((f) => f.paused).length;
    summary.textContent = all.length
      ? `${all.length} ${all.length === 1 ? 'follow' : 'follows'}: ${all.length - paused} active, ${paused} paused.`
      : '';
    if (!all.length)
      replace(list, emptyState(ctx.operator
        ? 'No follows yet. Follow a channel above: its videos are processed, and new uploads come by themselves.'
        : 'No follows yet. An operator can follow channels.', [], 'follows-empty'));
  }

  function card(f) {
    const name = f.uploader || f.channel_url;
    const facts = [
      ['Window', [timeEl(f.since, { dateOnly: true }), f.limit ? ` onwards, up to ${f.limit} videos` : ' onwards']],
      ['Jobs enqueued', h('span', { testid: `follow-enqueued-${f.id}` }, String(f.enqueued_total ?? 0))],
      ['Last listed', timeEl(f.last_listed_at, { relative: true, fallback: 'not yet' })],
      ['Next listing', f.paused ? h('span', { class: 'muted' }, 'paused') : timeEl(f.next_refresh_at, { relative: true })],
      ['Added', [timeEl(f.created_at, { dateOnly: true }),
        f.origin ? ` (${f.origin}` : '',
        f.created_from_job ? [' from ', h('a', { href: `/jobs/${encodeURIComponent(f.created_from_job)}` }, `job ${f.created_from_job}`)] : '',
        f.origin ? ')' : '']],
    ];
    if (f.last_error) facts.push(['Last error', h('span', { class: 'row-error', testid: `follow-error-${f.id}` }, f.last_error)]);
    const actions = h('div', { class: 'actions' });
    const el = h('article', { class: `follow${f.paused ? ' paused' : ''}`, testid: `follow-row-${f.id}` },
      h('div', { class: 'follow-head' },
        h('h3', null, externalLink(f.channel_url, name, { title: f.channel_url })),
        badge(f.paused ? 'paused' : 'active', { testid: `follow-state-${f.id}` })),
      f.uploader ? h('p', { class: 'muted small url' }, f.channel_url) : null,
      h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
      ctx.operator ? actions : null);
    if (ctx.operator) drawActions(f, actions);
    return el;
  }

  function drawActions(f, actions) {
    const toggle = h('button', { type: 'button', testid: `${f.paused ? 'follow-resume' : 'follow-pause'}-${f.id}` },
      f.paused ? 'Resume' : 'Pause');
    toggle.addEventListener('click', () => setPaused(f, !f.paused, toggle));
    const remove = h('button', { type: 'button', class: 'button-danger-quiet', testid: `follow-remove-${f.id}` }, 'Remove');
    remove.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'button-danger', testid: `confirm-remove-${f.id}` }, 'Yes, remove');
      const no = h('button', { type: 'button', testid: `cancel-remove-${f.id}` }, 'Keep');
      yes.addEventListener('click', () => removeFollow(f, yes, no));
      no.addEventListener('click', () => {
        drawActions(f, actions);
        actions.querySelector(`[data-testid="follow-remove-${f.id}"]`)?.focus();
      });
      replace(actions, h('span', { class: 'confirm', role: 'group', 'aria-label': 'Confirm removal' },
        h('span', null, 'Remove? Its jobs stay; new uploads are no longer queued.'), yes, no));
      yes.focus();
    });
    replace(actions, toggle, remove);
  }

  async function setPaused(f, pause, button) {
    button.disabled = true;
    errors.clear();
    notices.clear();
    try {
      const fresh = await api(`/v1/follows/${f.id}/${pause ? 'pause' : 'resume'}`, { method: 'POST', signal: ctx.signal });
      if (!ctx.alive()) return;
      follows.set(fresh.id, fresh);
      const old = list.querySelector(`[data-testid="follow-row-${f.id}"]`);
      const next = card(fresh);
      old?.replaceWith(next);
      drawSummary();
      next.querySelector(`[data-testid="${pause ? 'follow-resume' : 'follow-pause'}-${f.id}"]`)?.focus();
    } catch (err) {
      if (!ctx.alive() || err?.name === 'AbortError') return;
      button.disabled = false;
      errors.show(err);
    }
  }

  async function removeFollow(f, yes, no) {
    yes.disabled = true;
    no.disabled = true;
    errors.clear();
    notices.clear();
    try {
      await api(`/v1/follows/${f.id}`, { method: 'DELETE', signal: ctx.signal });
      if (!ctx.alive()) return;
      follows.delete(f.id);
      list.querySelector(`[data-testid="follow-row-${f.id}"]`)?.remove();
      notices.show(`Stopped following ${f.uploader || f.channel_url}.`);
      drawSummary();
    } catch (err) {
      if (!ctx.alive() || err?.name === 'AbortError') return;
      yes.disabled = false;
      no.disabled = false;
      errors.show(err);
    }
  }

  async function loadFollows() {
    const data = await api('/v1/follows', { signal: ctx.signal });
    if (!ctx.alive()) return;
    follows.clear();
    for (const f of data?.follows || []) follows.set(f.id, f);
    replace(list, [...follows.values()].map(card));
    drawSummary();
  }

  replace(list, h('p', { class: 'muted' }, 'Loading\u2026'));
  replace(autoBox, h('p', { class: 'muted' }, 'Loading\u2026'));
  const setting = api('/v1/settings/auto-follow', { signal: ctx.signal }).then(
    (s) => { if (ctx.alive()) drawAuto(s); },
    (err) => {
      if (ctx.alive() && err?.name !== 'AbortError' && err?.status !== 401)
        replace(autoBox, h('p', { class: 'muted' }, `The setting could not be read: ${err.message}`));
    });
  await loadFollows();
  await setting;
}
