// The pipeline's live events (GET /v1/events, Server-Sent Events): one EventSource while
// signed in, shared by the pages. Pages subscribe with onLive('job' | 'lagged' | 'status').
// After the stream broke and came back, subscribers get 'lagged' (events may have been missed:
// reload). A stream the browser gave up on is reopened with backoff once the session is
// checked (a 401 there sends the page to sign in).
import { api } from './api.js';

const subscribers = { job: new Set(), lagged: new Set(), status: new Set() };
let source = null;
let status = 'off'; // off | connecting | live | reconnecting
let broke = false;
let retryTimer = null;
let retryDelay = 2000;

function emit(type, data) {
  for (const fn of [...subscribers[type]]) {
    try {
      fn(data);
    } catch (e) {
      console.error(e);
    }
  }
}

function setStatus(s) {
  if (s === status) return;
  status = s;
  emit('status', s);
}

function open() {
  clearTimeout(retryTimer);
  retryTimer = null;
  const es = new EventSource('/v1/events');
  source = es;
  setStatus(broke ? 'reconnecting' : 'connecting');
  es.addEventListener('open', () => {
    if (source !== es) return;
    setStatus('live');
    retryDelay = 2000;
    if (broke) emit('lagged');
    broke = false;
  });
  es.addEventListener('job', (e) => {
    if (source !== es) return;
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    if (data && data.job_id !== undefined) emit('job', data);
  });
  es.addEventListener('lagged', () => {
    if (source === es) emit('lagged');
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    broke = true;
    if (es.readyState !== EventSource.CLOSED) {
      setStatus('reconnecting'); // the browser retries by itself
      return;
    }
    es.close();
    source = null;
    setStatus('reconnecting');
    // The browser gave up (an error status, e.g. 401): check the session, then try again.
    retryTimer = setTimeout(async () => {
      try {
        await api('/v1/session');
      } catch {
        // a 401 went to the sign-in hook (which stops us); anything else: retry below
      }
      if (status !== 'off') open();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30_000);
  });
}

// A page kept in the browser's back/forward cache must not hold its stream open: browsers
// allow a few connections per host over HTTP/1.1, and frozen pages' streams would use them
// up. The stream closes when the page is hidden that way and reopens (as after a break, so
// subscribers reload) when it is shown again.
let suspended = false;
window.addEventListener('pagehide', () => {
  if (!source && !retryTimer) return;
  suspended = true;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  source = null;
});
window.addEventListener('pageshow', () => {
  if (!suspended) return;
  suspended = false;
  if (status === 'off') return;
  broke = true;
  open();
});

/** Opens the stream (once signed in). */
export function startLive() {
  if (source || retryTimer) return;
  broke = false;
  open();
}

/** Closes the stream (signed out). */
export function stopLive() {
  suspended = false;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  source = null;
  broke = false;
  setStatus('off');
}

/** The stream's state: off, connecting, live or reconnecting. */
export function liveStatus() {
  return status;
}

/** Calls `fn` for each event of `type`; returns the function that unsubscribes. */
export function onLive(type, fn) {
  subscribers[type].add(fn);
  return () => subscribers[type].delete(fn);
}
