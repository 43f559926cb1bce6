// The node's HTTP API as the page uses it: same-origin fetches with the session cookie, the
// session's CSRF token on every write, errors turned into ApiError with the node's message,
// and one hook for "the session is gone" (a 401 anywhere sends the page to sign in).

/** An API failure: `status` 0 when the node could not be reached. `message` is the node's
 *  own message, meant to be shown as it is. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

const unreachable = 'The node cannot be reached. Check that it is running, then try again.';

let current = null; // the session: {tenant, workspace, role, csrf_token, expires_at}
let unauthorized = () => {};

/** The signed-in session, or null. */
export function session() {
  return current;
}

/** Whether the session may submit, retry, cancel, follow and change settings. */
export function isOperator() {
  return current?.role === 'operator';
}

/** `fn(error)` runs when a call answers 401 (the session ended or its token was revoked). */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

/** Forgets the session on this side (after sign-out or a 401). */
export function forgetSession() {
  current = null;
}

/**
 * Calls the API. `body` (an object) is sent as JSON. Resolves with the parsed JSON answer
 * (null for an empty one); rejects with ApiError. `signal` aborts the request. A 401 also
 * runs the unauthorized hook unless `authRedirect` is false.
 */
export async function api(path, { method = 'GET', body, signal, authRedirect = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && current?.csrf_token)
    headers['X-CSRF-Token'] = current.csrf_token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', unreachable);
  }
  let data = null;
  try {
    const text = await res.text();
    if (text) data = JSON.parse(text);
  } catch (e) {
    if (e?.name === 'AbortError') throw e;
    if (res.ok) throw new ApiError(res.status, 'bad_answer', 'The node sent an answer that is not JSON.');
  }
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      data?.error?.code || 'http_error',
      data?.error?.message || `The node answered HTTP ${res.status} ${res.statusText}`.trim(),
    );
    if (res.status === 401 && authRedirect) unauthorized(err);
    throw err;
  }
  return data;
}

/** Asks the node who is signed in: the session, or null when nobody is (401). Other
 *  failures (the node unreachable) reject. */
export async function loadSession() {
  try {
    current = await api('/v1/session', { authRedirect: false });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) current = null;
    else throw e;
  }
  return current;
}

/** Trades a token for a session (the node sets an HttpOnly cookie). */
export async function signIn(token) {
  current = await api('/v1/session', { method: 'POST', body: { token }, authRedirect: false });
  return current;
}

/** Ends the session on the node; the page forgets it whatever the node answered. */
export async function signOut() {
  try {
    await api('/v1/session', { method: 'DELETE', authRedirect: false });
  } finally {
    current = null;
  }
}

/** The message to show for any failure. */
export function messageOf(err) {
  if (err instanceof ApiError) return err.message;
  return `Something went wrong in the page: ${err?.message || err}`;
}

/** Whether `err` is a 401 (the sign-in view takes over: pages show nothing for it). */
export function isUnauthorized(err) {
  return err instanceof ApiError && err.status === 401;
}
