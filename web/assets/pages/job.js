// A job's page (/jobs/ID): what the video is (title, uploader, date, length, topics, key
// phrases, summary), how its run goes (state, stage timings, progress, last error), retry and
// cancel for operators, the transcript exports and the timed transcript, each line a link to
// that moment of the video, with a filter. Follows the live events: the state shows the stage
// while the job runs; the job (and its transcript) is reloaded when stages finish and the
// run ends.
import { h, replace, externalLink, highlightSubstring } from '../dom.js';
import { api } from '../api.js';
import { onLive, liveStatus } from '../live.js';
import { STAGES, badge, jobName, errorSlot, noticeSlot, section } from '../components.js';
import { timeEl, clock, elapsed, uploadDate, percent, transcriptSource } from '../format.js';

const EXPORTS = [['srt', 'SubRip (.srt)'], ['vtt', 'WebVTT (.vtt)'], ['txt', 'Text (.txt)'], ['json', 'JSON']];
const ACTIVE = ['queued', 'leased', 'retrying'];

export async function jobPage(ctx) {
  const id = ctx.params[0];
  let job;
  try {
    job = await api(`/v1/jobs/${id}`, { signal: ctx.signal });
  } catch (err) {
    if (err?.status === 404) return ctx.notFound(`There is no job ${id} in this workspace.`);
    throw err;
  }
  if (!ctx.alive()) return;

  const errors = errorSlot();
  const notices = noticeSlot();
  if (ctx.flash) notices.show(ctx.flash);
  // The latest run as far as this page knows: job.stages, then patched by live events.
  let run = stagesOf(job);

  const head = h('header', { class: 'job-head' });
  const about = h('div');
  const stagesBox = h('div');
  const details = h('div');
  const transcript = transcriptSection(id, ctx);

  replace(ctx.root,
    h('p', { class: 'back' }, h('a', { href: '/' }, '\u2190 Overview')),
    head,
    notices.el,
    errors.el,
    h('div', { class: 'job-grid' },
      h('div', { class: 'job-main' }, about, transcript.el),
      h('div', { class: 'job-side' }, stagesBox, details)));

  function draw() {
    ctx.title(jobName(job));
    drawHead();
    drawAbout();
    drawStages();
    drawDetails();
  }

  function badgeText() {
    return run.running && run.stage ? run.stage : job.state;
  }

  function drawHead() {
    const r = job.results || {};
    const meta = [];
    if (r.uploader) meta.push(h('span', { testid: 'job-uploader' }, r.uploader));
    if (r.upload_date) meta.push(h('span', { testid: 'job-upload-date', title: r.upload_date }, uploadDate(r.upload_date)));
    if (r.duration_s) meta.push(h('span', { testid: 'job-duration', title: `${Math.round(r.duration_s)} s` }, clock(r.duration_s)));
    meta.push(h('span', null, job.source));
    const actions = h('div', { class: 'actions' });
    if (ctx.operator && (job.state === 'failed' || job.state === 'dead'))
      actions.append(actionButton('retry', 'Retry', 'Queued again.'));
    if (ctx.operator && (job.state === 'queued' || job.state === 'retrying'))
      actions.append(actionButton('cancel', 'Cancel', 'Cancelled.'));
    replace(head,
      h('h1', { testid: 'job-title' }, jobName(job)),
      h('p', { class: 'meta' }, meta.flatMap((m, i) => (i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '\u00b7'), m] : [m]))),
      h('div', { class: 'head-row' },
        badge(badgeText(), { testid: 'job-state', title: `state: ${job.state}`, kind: job.state }),
        externalLink(r.webpage_url || job.url, 'Open the original video \u2197', { class: 'original', testid: 'job-original' }),
        actions),
      job.error ? h('p', { class: 'alert-soft', testid: 'job-error' }, h('strong', null, 'Last failure: '), job.error) : null);
  }

  function actionButton(action, label, done) {
    const b = h('button', { type: 'button', testid: `${action}-button`, class: action === 'retry' ? 'button-primary' : '' }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      errors.clear();
      notices.clear();
      try {
        job = await api(`/v1/jobs/${id}/${action}`, { method: 'POST', signal: ctx.signal });
        run = stagesOf(job);
        notices.show(done);
        draw();
      } catch (err) {
        if (!ctx.alive() || err?.name === 'AbortError') return;
        b.disabled = false;
        errors.show(err);
      }
    });
    return b;
  }

  function chips(label, words, testid) {
    if (!words?.length) return null;
    return h('div', { class: 'chip-group' },
      h('h3', null, label),
      h('ul', { class: 'chips', testid }, words.map((w) =>
        h('li', null, h('a', { class: 'chip', href: `/search?q=${encodeURIComponent(w)}`, title: `Search for \u201c${w}\u201d` }, w)))));
  }

  function drawAbout() {
    const r = job.results;
    if (!r) {
      replace(about, section('About this video',
        h('p', { class: 'muted' }, ACTIVE.includes(job.state)
          ? 'Title, summary and topics appear once the video is downloaded and analysed.'
          : 'Nothing is known about this video: it was not downloaded.')));
      return;
    }
    const summary = r.summary || [];
    const hasAnalysis = summary.length || r.topics?.length || r.key_phrases?.length;
    replace(about, section('About this video',
      summary.length
        ? h('div', { class: 'summary', testid: 'job-summary' }, summary.map((p) => h('p', null, p)))
        : h('p', { class: 'muted' }, hasAnalysis ? 'No summary.'
          : ACTIVE.includes(job.state) ? 'The summary appears once the video is analysed.'
            : 'No summary: the video was not analysed.'),
      chips('Topics', r.topics, 'job-topics'),
      chips('Key phrases', r.key_phrases, 'job-key-phrases')));
  }

  function drawStages() {
    const done = run.elapsed_ms || {};
    const names = [...STAGES, ...Object.keys(done).filter((s) => !STAGES.includes(s))];
    const total = Object.values(done).reduce((a, b) => a + (Number(b) || 0), 0);
    replace(stagesBox, section('Stages',
      h('table', { class: 'stages', testid: 'job-stages' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Stage'), h('th', { scope: 'col' }, 'Time'))),
        h('tbody', null, names.map((s) => {
          const current = run.running && run.stage === s;
          let cell;
          if (current)
            cell = h('span', { class: 'stage-progress' },
              h('progress', { max: '1', value: String(clampFraction(run.fraction)), 'aria-label': `${s} progress`, testid: 'job-progress' }),
              h('span', { class: 'pct' }, percent(run.fraction)));
          else if (done[s] !== undefined) cell = h('span', null, elapsed(done[s]));
          else cell = h('span', { class: 'muted' }, '\u2014');
          return h('tr', { class: current ? 'current' : '', 'aria-current': current ? 'step' : null, testid: `stage-${s}` },
            h('th', { scope: 'row' }, s), h('td', null, cell));
        })),
        total ? h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'total'), h('td', null, elapsed(total)))) : null),
      job.stages ? null : h('p', { class: 'muted small' },
        'Stage timings are kept while the node runs; it has none for this job since it started.')));
  }

  function drawDetails() {
    const rows = [
      ['Job', `#${job.id}`],
      ['Source', `${job.source} \u00b7 ${job.external_id}`],
      ['Origin', job.origin],
      ['Priority', job.priority],
      ['Attempt', String(job.attempt ?? 0) + (job.rescues ? ` (rescued ${job.rescues}\u00d7)` : '')],
      ['Created', timeEl(job.created_at)],
      ['Updated', timeEl(job.updated_at, { relative: true })],
    ];
    if (job.not_before) rows.push(['Runs again', timeEl(job.not_before, { relative: true })]);
    if (job.worker) rows.push(['Worker', job.worker]);
    if (job.lease_deadline) rows.push(['Lease until', timeEl(job.lease_deadline, { relative: true })]);
    if (job.tags?.length) rows.push(['Tags', job.tags.join(', ')]);
    replace(details, section('Details',
      h('dl', { class: 'facts' }, rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]))));
  }

  // ---- live ------------------------------------------------------------------------------

  let reloadTimer = null;
  let reloading = false;
  function reloadSoon(delay = 300) {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(reload, delay);
  }
  async function reload() {
    if (reloading) return reloadSoon(500);
    reloading = true;
    try {
      const fresh = await api(`/v1/jobs/${id}`, { signal: ctx.signal });
      if (!ctx.alive()) return;
      job = fresh;
      run = stagesOf(job);
      draw();
      if (!transcript.loaded()) transcript.load(job);
    } catch (err) {
      if (ctx.alive() && err?.name !== 'AbortError' && err?.status !== 401) errors.show(err);
    } finally {
      reloading = false;
    }
  }

  ctx.onCleanup(() => clearTimeout(reloadTimer));
  ctx.onCleanup(onLive('job', (ev) => {
    if (String(ev.job_id) !== String(id)) return;
    if (ev.kind === 'ended') {
      run = { ...run, running: false };
      reloadSoon(0);
      return;
    }
    run = {
      ...run,
      running: true,
      stage: ev.stage,
      fraction: ev.kind === 'started' ? 0 : ev.kind === 'finished' ? 1 : ev.fraction,
    };
    if (job.state !== 'leased') job = { ...job, state: 'leased' };
    drawHead();
    drawStages();
    if (ev.kind === 'finished') {
      reloadSoon(); // the stage's time, and the title after the download
      if (ev.stage === 'transcribe') transcript.load(job);
    }
  }));
  ctx.onCleanup(onLive('lagged', () => reloadSoon(0)));
  // Without live events (the stream is down), an active job is polled.
  const poll = setInterval(() => {
    if (ACTIVE.includes(job.state) && liveStatus() !== 'live') reload();
  }, 15_000);
  ctx.onCleanup(() => clearInterval(poll));

  draw();
  transcript.load(job);
}

function stagesOf(job) {
  const s = job.stages || {};
  return { running: Boolean(s.running), stage: s.stage, fraction: s.fraction || 0, elapsed_ms: s.elapsed_ms || {} };
}

function clampFraction(f) {
  return Math.min(1, Math.max(0, Number(f) || 0));
}

/** The transcript card: exports, the filter and one line per segment. */
function transcriptSection(id, ctx) {
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading the transcript…'));
  const el = h('section', { class: 'card', 'aria-labelledby': 'h-transcript' }, h('h2', { id: 'h-transcript' }, 'Transcript'), body);
  let state = 'none'; // none | loading | loaded
  let lines = [];

  function showMissing(job) {
    const running = ACTIVE.includes(job.state);
    replace(body, h('p', { class: 'empty', testid: 'transcript-empty' },
      running ? 'No transcript yet. It appears here once the transcribe stage has run.'
        : 'No transcript yet: this job ended before the video was transcribed.'));
  }

  let again = null; // a newer job to load for while a load runs

  async function load(job) {
    if (state === 'loaded') return;
    if (state === 'loading') {
      again = job;
      return;
    }
    state = 'loading';
    let data;
    try {
      data = await api(`/v1/jobs/${id}/transcript.json`, { signal: ctx.signal });
    } catch (err) {
      state = 'none';
      if (!ctx.alive() || err?.name === 'AbortError') return;
      if (err?.status === 404) showMissing(job);
      else if (err?.status !== 401) replace(body, h('p', { class: 'alert', role: 'alert', testid: 'error' }, err.message));
      const next = again;
      again = null;
      if (next) load(next);
      return;
    }
    again = null;
    if (!ctx.alive()) return;
    state = 'loaded';
    draw(data);
  }

  function draw(data) {
    const segments = data?.segments || [];
    const exportsList = h('p', { class: 'exports', testid: 'transcript-exports' }, 'Download: ',
      EXPORTS.map(([ext, label], i) => [i ? ' \u00b7 ' : '',
        h('a', { href: `/v1/jobs/${id}/transcript.${ext}`, download: `vfb-job-${id}.${ext}`, testid: `export-${ext}` }, label)]));
    if (!segments.length) {
      replace(body, exportsList, h('p', { class: 'empty', testid: 'transcript-empty' }, 'The transcript is empty: nothing was said, or nothing was recognised.'));
      return;
    }
    const filter = h('input', {
      id: 'transcript-filter', type: 'search', autocomplete: 'off', placeholder: 'Find a word…', testid: 'transcript-filter',
    });
    const count = h('span', { class: 'muted small', 'aria-live': 'polite', testid: 'transcript-count' }, `${segments.length} lines`);
    const list = h('ol', { class: 'transcript', testid: 'transcript' });
    lines = segments.map((seg) => {
      const at = clock((seg.start_ms || 0) / 1000);
      const text = h('span', { class: 'seg-text' }, seg.text || '');
      const li = h('li', { class: 'seg' },
        externalLink(seg.moment_url, `[${at}]`, { class: 'moment', testid: 'moment', title: `Play from ${at} (opens the video in a new tab)` }),
        ' ', text);
      list.append(li);
      return { li, text, raw: seg.text || '', lower: (seg.text || '').toLowerCase() };
    });
    let timer = null;
    filter.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => applyFilter(filter.value.trim(), count, segments.length), 120);
    });
    const source = transcriptSource(data.origin, data.confidence);
    const meta = [source ? `From ${source}` : null, data.language ? `language ${data.language}` : null].filter(Boolean).join('; ');
    replace(body,
      exportsList,
      h('div', { class: 'filter-row' },
        h('label', { for: 'transcript-filter' }, 'Find in transcript'), filter, count),
      meta ? h('p', { class: 'muted small', testid: 'transcript-source' }, meta) : null,
      list);
  }

  function applyFilter(q, count, total) {
    const needle = q.toLowerCase();
    let shown = 0;
    for (const line of lines) {
      const match = !needle || line.lower.includes(needle);
      line.li.hidden = !match;
      if (match) shown++;
      line.text.replaceChildren(needle && match ? highlightSubstring(line.raw, q) : document.createTextNode(line.raw));
    }
    count.textContent = needle ? `${shown} of ${total} lines` : `${total} lines`;
  }

  return { el, load, loaded: () => state === 'loaded' };
}
