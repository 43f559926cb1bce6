// The overview (/): the workspace at a glance from GET /v1/overview (counts per state, jobs
// in flight, the newest jobs, recent failures, follows due, open circuit breakers). Jobs in
// flight follow the live events without reloading the page; counts and lists are fetched
// again (debounced) when a run ends.
import { h, replace, appLink } from '../dom.js';
import { api } from '../api.js';
import { onLive } from '../live.js';
import {
  STATES, STATE_HINTS, badge, jobName, errorSlot, emptyState, outcomeLabel, outcomeNote, isBad,
} from '../components.js';
import { timeEl, percent } from '../format.js';

/** Ended rows kept in the in-flight list (newest first) until they drop off. */
const KEEP_ENDED = 8;

export async function overviewPage(ctx) {
  ctx.title('Overview');
  const errors = errorSlot();
  const counts = h('div', { class: 'counts', testid: 'counts' });
  const breakers = h('div', { class: 'breakers' });
  const inFlight = h('ul', { class: 'rows', testid: 'in-flight' });
  const inFlightEmpty = emptyState('Nothing is running right now.', [], 'in-flight-empty');
  const failures = h('div');
  const due = h('div');
  const recent = h('div');
  const rows = new Map(); // job id -> row (see makeRow)

  replace(ctx.root,
    h('div', { class: 'page-head' },
      h('h1', null, 'Overview'),
      h('span', { class: 'muted' }, `${ctx.session.tenant} / ${ctx.session.workspace}`)),
    errors.el,
    breakers,
    h('section', { class: 'card', 'aria-labelledby': 'h-counts' }, h('h2', { id: 'h-counts' }, 'Jobs by state'), counts),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'h-flight' }, h('h2', { id: 'h-flight' }, 'In flight'), inFlight, inFlightEmpty),
      h('section', { class: 'card', 'aria-labelledby': 'h-fail' }, h('h2', { id: 'h-fail' }, 'Recent failures'), failures),
      h('section', { class: 'card', 'aria-labelledby': 'h-recent' }, h('h2', { id: 'h-recent' }, 'Recent jobs'), recent),
      h('section', { class: 'card', 'aria-labelledby': 'h-due' }, h('h2', { id: 'h-due' }, 'Follows due next'), due)));

  // ---- jobs in flight -------------------------------------------------------------------

  function makeRow(id) {
    const title = h('span', { class: 'row-title' }, `Job ${id}`);
    const stage = h('span', { class: 'stage', testid: `job-stage-${id}` }, 'starting');
    const pct = h('span', { class: 'muted pct' });
    const note = h('span', { class: 'row-note' });
    const progress = h('progress', { max: '1', value: '0', 'aria-label': `Job ${id} stage progress` });
    const link = h('a', { class: 'row-link', href: `/jobs/${id}`, testid: `job-row-${id}` },
      title, h('span', { class: 'row-meta' }, stage, pct, note), progress);
    const li = h('li', { class: 'row' }, link);
    const row = { id, li, title, stage, pct, note, progress, ended: false, titled: false };
    rows.set(id, row);
    inFlight.prepend(li);
    inFlightEmpty.hidden = true;
    return row;
  }

  function setTitle(row, job) {
    if (!job) return;
    row.title.textContent = jobName(job);
    row.titled = Boolean(job.results?.title);
  }

  async function fetchTitle(row) {
    try {
      const job = await api(`/v1/jobs/${row.id}`, { signal: ctx.signal });
      if (ctx.alive()) setTitle(row, job);
    } catch {
      // the title stays "Job N": the row still works
    }
  }

  function showRunning(row, stage, fraction) {
    row.ended = false;
    row.li.classList.remove('ended', 'ended-bad', 'ended-ok');
    row.stage.textContent = stage || 'starting';
    row.progress.hidden = false;
    row.progress.value = Math.min(1, Math.max(0, Number(fraction) || 0));
    row.pct.textContent = percent(fraction);
    row.note.textContent = '';
  }

  function showEnded(row, outcome) {
    row.ended = true;
    row.endedAt = Date.now();
    const label = outcomeLabel(outcome?.kind);
    row.li.classList.add('ended', isBad(outcome?.kind) ? 'ended-bad' : 'ended-ok');
    row.stage.textContent = label;
    row.pct.textContent = '';
    row.progress.hidden = true;
    const note = outcomeNote(outcome);
    row.note.textContent = note ? `${label}: ${note}` : '';
    const ended = [...rows.values()].filter((r) => r.ended).sort((a, b) => b.endedAt - a.endedAt);
    for (const r of ended.slice(KEEP_ENDED)) dropRow(r);
  }

  function dropRow(row) {
    row.li.remove();
    rows.delete(row.id);
    inFlightEmpty.hidden = rows.size > 0;
  }

  function onJobEvent(ev) {
    const id = Number(ev.job_id);
    let row = rows.get(id);
    if (ev.kind === 'ended') {
      if (!row) {
        row = makeRow(id);
        fetchTitle(row);
      }
      showEnded(row, ev.outcome);
      refreshSoon();
      return;
    }
    if (!row) {
      row = makeRow(id);
      fetchTitle(row);
      refreshSoon(); // a queued job was leased: the counts moved
    } else if (ev.kind === 'finished' && ev.stage === 'download' && !row.titled) {
      fetchTitle(row); // the title is known once the download finished
    }
    showRunning(row, ev.stage, ev.kind === 'finished' ? 1 : ev.kind === 'started' ? 0 : ev.fraction);
  }

  function mergeInFlight(jobs) {
    const live = new Set();
    for (const job of [...jobs].reverse()) { // newest first from the node: prepend oldest first
      const id = Number(job.id);
      live.add(id);
      let row = rows.get(id);
      if (!row) {
        row = makeRow(id);
        const st = job.stages;
        showRunning(row, st?.running ? st.stage : 'starting', st?.running ? st.fraction : 0);
      }
      setTitle(row, job);
    }
    // A row neither leased now nor marked ended missed its end (e.g. lagged): drop it.
    for (const row of [...rows.values()]) if (!row.ended && !live.has(row.id)) dropRow(row);
  }

  // ---- the rest of the overview ----------------------------------------------------------

  function drawCounts(c) {
    replace(counts, STATES.map((s) =>
      h('div', { class: `count count-${s}`, title: STATE_HINTS[s] },
        h('span', { class: 'count-num', testid: `count-${s}` }, String(c?.[s] ?? 0)),
        h('span', { class: 'count-label' }, s))));
  }

  function drawBreakers(list) {
    replace(breakers, (list || []).map((b) =>
      h('p', { class: 'notice notice-warn', testid: `breaker-${b.source}` },
        h('strong', null, `${b.source}: circuit breaker open`),
        ' \u2014 the source pushed back, its jobs wait until ',
        timeEl(b.open_until), ' (', timeEl(b.open_until, { relative: true }), ').')));
  }

  function drawFailures(jobs) {
    if (!jobs?.length) {
      replace(failures, emptyState('No failures.', [], 'failures-empty'));
      return;
    }
    replace(failures, h('ul', { class: 'rows', testid: 'failures' }, jobs.map((job) =>
      h('li', { class: 'row' },
        h('a', { class: 'row-link', href: `/jobs/${job.id}`, testid: `failure-${job.id}` },
          h('span', { class: 'row-title' }, jobName(job)),
          h('span', { class: 'row-meta' }, badge(job.state), timeEl(job.updated_at, { relative: true })),
          job.error ? h('span', { class: 'row-error' }, job.error) : null)))));
  }

  function drawDue(list, autoFollow) {
    const setting = autoFollow
      ? h('p', { class: 'muted small', testid: 'auto-follow-status' },
          `Auto-follow of uploaders: ${autoFollow.setting}`,
          autoFollow.setting === 'inherit' ? ` (${autoFollow.effective ? 'on' : 'off'} for this node)` : '',
          '.')
      : null;
    if (!list?.length) {
      replace(due, emptyState(
        ctx.operator ? 'No active follows. Follow a channel and its new videos come by themselves.'
          : 'No active follows. An operator can follow channels.',
        [{ href: '/follows', text: ctx.operator ? 'Follow a channel' : 'Follows' }], 'follows-due-empty'), setting);
      return;
    }
    replace(due,
      h('ul', { class: 'rows', testid: 'follows-due' }, list.map((f) =>
        h('li', { class: 'row row-plain', testid: `due-${f.id}` },
          h('span', { class: 'row-title' }, f.uploader || f.channel_url),
          h('span', { class: 'row-meta' }, h('span', null, 'next listing'), timeEl(f.next_refresh_at, { relative: true }),
            f.last_error ? h('span', { class: 'row-error' }, `last error: ${f.last_error}`) : null)))),
      h('p', null, appLink('/follows', 'All follows')),
      setting);
  }

  function drawRecent(jobs) {
    if (!jobs?.length) {
      replace(recent, emptyState(
        ctx.operator ? 'No jobs yet. Submit a video or follow a channel.'
          : 'No jobs yet. An operator can submit a video or follow a channel.',
        ctx.operator ? [{ href: '/submit', text: 'Submit a video' }, { href: '/follows', text: 'Follow a channel' }] : [],
        'jobs-empty'));
      return;
    }
    replace(recent, h('ul', { class: 'rows', testid: 'recent-jobs' }, jobs.map((job) =>
      h('li', { class: 'row' },
        h('a', { class: 'row-link', href: `/jobs/${job.id}`, testid: `recent-${job.id}` },
          h('span', { class: 'row-title' }, jobName(job)),
          h('span', { class: 'row-meta' }, badge(job.state), h('span', null, `#${job.id}`),
            job.origin ? h('span', null, job.origin) : null, timeEl(job.updated_at, { relative: true })))))));
  }

  // ---- loading ---------------------------------------------------------------------------

  async function load() {
    const overview = await api('/v1/overview', { signal: ctx.signal });
    if (!ctx.alive()) return;
    errors.clear();
    drawCounts(overview.counts);
    drawBreakers(overview.breakers);
    mergeInFlight(overview.in_flight || []);
    inFlightEmpty.hidden = rows.size > 0;
    drawFailures(overview.failures);
    drawDue(overview.follows_due, overview.auto_follow);
    drawRecent(overview.recent);
  }

  let timer = null;
  function refreshSoon(delay = 600) {
    if (timer) return;
    timer = setTimeout(async () => {
      timer = null;
      try {
        await load();
      } catch (err) {
        if (ctx.alive() && err?.name !== 'AbortError' && err?.status !== 401) errors.show(err);
      }
    }, delay);
  }

  ctx.onCleanup(() => clearTimeout(timer));
  ctx.onCleanup(onLive('job', onJobEvent));
  ctx.onCleanup(onLive('lagged', () => refreshSoon(0)));
  drawCounts(null);
  await load();
}
