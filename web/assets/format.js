// Formatting of times, dates and durations for people: local readable times with the ISO
// time in a title, relative times ("3 min ago", "in 3 h") kept fresh by a ticker, video
// lengths (m:ss) and stage timings.
import { h } from './dom.js';

/** A Date from an API time (ISO 8601); null for "" or anything unreadable. */
export function parseTime(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "5 Dec 2026, 14:05" in the reader's locale and zone. */
export function localTime(d) {
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "just now", "3 min ago", "in 3 h", "2 d ago" (from `now`, default the current time). */
export function relativeTime(d, now = Date.now()) {
  const s = Math.round((d.getTime() - now) / 1000);
  const a = Math.abs(s);
  if (a < 45) return 'just now';
  let n;
  let unit;
  if (a < 3600) [n, unit] = [Math.max(1, Math.round(a / 60)), 'min'];
  else if (a < 86400) [n, unit] = [Math.round(a / 3600), 'h'];
  else if (a < 86400 * 60) [n, unit] = [Math.round(a / 86400), 'd'];
  else if (a < 86400 * 730) [n, unit] = [Math.round(a / (86400 * 30.44)), 'mo'];
  else [n, unit] = [Math.round(a / (86400 * 365.25)), 'y'];
  return s < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** A <time> for an API time: local readable text (or relative with `relative`), the ISO time
 *  as its title; `dateOnly` shows the date alone. `fallback` is shown for an empty time. */
export function timeEl(iso, { relative = false, dateOnly = false, fallback = '—' } = {}) {
  const d = parseTime(iso);
  if (!d) return h('span', { class: 'muted' }, fallback);
  const el = h('time', { datetime: d.toISOString(), title: `${localTime(d)} (${iso})` });
  if (dateOnly) {
    el.textContent = d.toLocaleDateString(undefined, { dateStyle: 'medium' });
  } else if (relative) {
    el.dataset.rel = '';
    el.textContent = relativeTime(d);
  } else {
    el.textContent = localTime(d);
  }
  return el;
}

/** Refreshes the text of every relative <time> on the page. */
export function refreshRelativeTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time[data-rel]')) {
    const d = parseTime(el.getAttribute('datetime'));
    if (d) el.textContent = relativeTime(d, now);
  }
}

/** Starts the ticker that keeps relative times current (every 30 s). */
export function startTimeTicker() {
  setInterval(() => refreshRelativeTimes(), 30_000);
}

/** A video's length: "3:32", "1:02:05". */
export function clock(totalSeconds) {
  const t = Math.max(0, Math.floor(Number(totalSeconds) || 0));
  const hh = Math.floor(t / 3600);
  const mm = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A stage's wall time: "90 ms", "5.2 s", "1 min 12 s". */
export function elapsed(ms) {
  const v = Number(ms) || 0;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(v / 60_000);
  return `${m} min ${Math.round((v % 60_000) / 1000)} s`;
}

/** A yt-dlp upload date (YYYYMMDD) as a readable local date; the input when it is not one. */
export function uploadDate(yyyymmdd) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd || '');
  if (!m) return yyyymmdd || '';
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A percentage of a 0..1 fraction: "42%". */
export function percent(fraction) {
  const f = Math.min(1, Math.max(0, Number(fraction) || 0));
  return `${Math.round(f * 100)}%`;
}

/** Where a transcript came from, as vfb show says it: "speech recognition, 77% confident". */
export function transcriptSource(origin, confidence) {
  if (origin === 'speech') {
    return typeof confidence === 'number' && confidence >= 0
      ? `speech recognition, ${percent(confidence)} confident` : 'speech recognition';
  }
  if (origin === 'external') return 'external transcriber';
  return origin || '';
}
