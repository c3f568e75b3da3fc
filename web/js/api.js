// The public API, as any client uses it: bearer access tokens from
// /auth/login. The access token lives in memory only; the refresh token in
// this tab's sessionStorage (gone when the tab closes), so a reload keeps
// the login without a cookie, and with no cookie there is nothing for
// another site to ride on (no CSRF). The pages' CSP allows only our own
// scripts, which is what keeps the refresh token out of reach.

const REFRESH = 'buddymatch.refresh';
let access = null;
let me = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || (status === 0 ? 'network' : 'http');
    this.title = body.title || '';
    this.detail = body.detail || '';
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

export const user = () => me;
export const onSession = (f) => listeners.add(f);
const notify = () => listeners.forEach((f) => f(me));

function storeSession(s) {
  access = s.access_token;
  me = s.user;
  try { sessionStorage.setItem(REFRESH, s.refresh_token); } catch { /* this page only */ }
  notify();
}

function forget() {
  access = null;
  me = null;
  try { sessionStorage.removeItem(REFRESH); } catch { /* nothing kept */ }
  notify();
}

async function problemOf(res) {
  let body = {};
  try { body = await res.json(); } catch { /* not JSON: status only */ }
  return new ApiError(res.status, body);
}

function url(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

async function send(method, path, { body, query, csv, accept } = {}) {
  const headers = { Accept: accept || 'application/json' };
  if (access) headers.Authorization = `Bearer ${access}`;
  let payload;
  if (csv !== undefined) { headers['Content-Type'] = 'text/csv'; payload = csv; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  try {
    return await fetch(url(path, query), { method, headers, body: payload, credentials: 'omit' });
  } catch {
    throw new ApiError(0, {});
  }
}

let refreshing = null;
/** Spends the stored refresh token for a new pair; false if there is none or it is refused. */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      let token = null;
      try { token = sessionStorage.getItem(REFRESH); } catch { /* none */ }
      if (!token) return false;
      const res = await send('POST', '/auth/refresh', { body: { refresh_token: token } });
      // Only a refusal ends the login here; a busy or unreachable server
      // leaves the token for the next try.
      if ([400, 401, 422].includes(res.status)) { forget(); return false; }
      if (!res.ok) return false;
      storeSession(await res.json());
      return true;
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** One API call; answers the parsed JSON (null for 204), or the Response with `raw`. */
export async function api(method, path, opts = {}) {
  let res = await send(method, path, opts);
  if (res.status === 401 && access) {
    const body = await res.clone().json().catch(() => ({}));
    if (body.code === 'token_expired' && (await refresh())) res = await send(method, path, opts);
    else if (['session_ended', 'invalid_token'].includes(body.code)) forget();
  }
  if (!res.ok) throw await problemOf(res);
  if (opts.raw) return res;
  const text = await res.text();
  if (!text) return null;
  return (res.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text;
}

export const get = (path, query) => api('GET', path, { query });

export async function login(email, password) {
  storeSession(await api('POST', '/auth/login', { body: { email, password } }));
  return me;
}

export async function logout() {
  let token = null;
  try { token = sessionStorage.getItem(REFRESH); } catch { /* none */ }
  if (token) await send('POST', '/auth/logout', { body: { refresh_token: token } }).catch(() => {});
  forget();
}

/** After an erasure: the login is gone server-side already. */
export const dropSession = forget;

/** Keeps the user in step after a change (verification, role). */
export function setUser(u) { me = u; notify(); }
