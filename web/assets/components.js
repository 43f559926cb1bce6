// Small pieces several pages share: the error and notice boxes, state badges, empty states,
// a job's display name and the names of states, stages and outcomes.
import { h, replace } from './dom.js';
import { messageOf } from './api.js';

/** Job states in the order the overview counts them. */
export const STATES = ['queued', 'leased', 'retrying', 'done', 'skipped', 'failed', 'dead', 'cancelled'];

/** What each state means, for titles. */
export const STATE_HINTS = {
  queued: 'waiting for a worker',
  leased: 'running now',
  retrying: 'failed for now; runs again later',
  done: 'processed',
  skipped: 'nothing to do (e.g. outside a follow window)',
  failed: 'failed for good (private, deleted, unsupported)',
  dead: 'failed too often; retry to run again',
  cancelled: 'stopped by an operator',
};

/** The pipeline's stages in order. */
export const STAGES = ['download', 'transcribe', 'analyze', 'memory', 'post'];

/** A short word for how a run ended (an `ended` event's outcome.kind). */
export function outcomeLabel(kind) {
  switch (kind) {
    case 'done': return 'done';
    case 'skipped': return 'skipped';
    case 'permanent_failure': return 'failed';
    case 'transient_failure': return 'failed';
    case 'throttled': return 'throttled';
    case 'waiting': return 'waiting';
    default: return kind || 'ended';
  }
}

/** What the outcome means next, for a note beside the label. */
export function outcomeNote(outcome) {
  const reason = outcome?.reason || '';
  switch (outcome?.kind) {
    case 'transient_failure': return reason ? `${reason} (will be retried)` : 'will be retried';
    case 'throttled': return reason ? `${reason} (waits, then runs again)` : 'the source pushes back; runs again later';
    case 'waiting': return reason ? `${reason} (not out yet)` : 'not out yet; runs again later';
    default: return reason;
  }
}

/** Whether an outcome or state is a bad one (shown in the warning colour). */
export function isBad(word) {
  return ['failed', 'dead', 'permanent_failure', 'transient_failure', 'retrying', 'throttled'].includes(word);
}

/** A state badge showing `word`, coloured by `kind` (default: the word itself). */
export function badge(word, { testid, title, kind = word } = {}) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-z_]/g, '')}`, testid, title }, word);
}

/** The name a job is shown by: its title once downloaded, else its URL. */
export function jobName(job) {
  return job?.results?.title || job?.url || `Job ${job?.id ?? ''}`;
}

/** An empty page-level error slot; `show(err)` fills it with the message (role=alert),
 *  `clear()` empties it. */
export function errorSlot() {
  const el = h('div', { class: 'error-slot' });
  return {
    el,
    show(err) {
      replace(el, h('p', { class: 'alert', role: 'alert', testid: 'error' }, typeof err === 'string' ? err : messageOf(err)));
    },
    clear() {
      el.replaceChildren();
    },
  };
}

/** A slot for good news ("Submitted as job 7"): role=status. */
export function noticeSlot() {
  const el = h('div', { class: 'notice-slot' });
  return {
    el,
    show(text, kind = 'ok') {
      replace(el, h('p', { class: `notice notice-${kind}`, role: 'status', testid: 'notice' }, text));
    },
    clear() {
      el.replaceChildren();
    },
  };
}

/** A friendly empty state: a sentence and optional links [{href, text}]. */
export function emptyState(text, links = [], testid) {
  const p = h('p', { class: 'empty', testid }, text);
  for (const l of links) p.append(' ', h('a', { href: l.href }, l.text));
  return p;
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), children);
}
