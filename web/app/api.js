// Talking to gapmap's API. Every failure becomes an ApiError carrying the API's stable
// code, its message and the per-row details of an upload ({file,row,field,message}).

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

async function errorFrom(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's page, a dropped connection): fall back to the status line.
  }
  const e = body?.error;
  if (e && typeof e.message === 'string') {
    return new ApiError(res.status, e.code || 'error', e.message, e.details);
  }
  return new ApiError(res.status, `http_${res.status}`, `the server answered ${res.status} ${res.statusText}`);
}

// Where reads are private (GAPMAP_READS=token) every API request carries a token. It is
// kept for this tab only (sessionStorage), never in a cookie or the URL.
const TOKEN_KEY = 'gapmap.token';

/** The token this tab signed in with, or ''. */
export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

/** Remembers (or, with '', forgets) this tab's token. */
export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lasts until the page is left.
  }
}

/** True for the answers that mean "send (another) token". */
export function needsToken(err) {
  return err instanceof ApiError && err.status === 401;
}

/**
 * Sends a request with the tab's token (or `writeToken`) and returns the answered
 * Response; a failure to connect or an error answer becomes an ApiError. An abort
 * (a newer request cancelling this one) is passed on as it is.
 */
async function send(path, { method = 'GET', body, signal, accept, writeToken, contentType } = {}) {
  const headers = accept ? { Accept: accept } : {};
  if (contentType) headers['Content-Type'] = contentType;
  const t = writeToken || token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(path, { method, body, signal, headers });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'gapmap cannot be reached: is the server running?');
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

/** GET a JSON document; `signal` lets a newer request cancel this one. */
export async function getJSON(path, { signal } = {}) {
  return (await send(path, { signal, accept: 'application/json' })).json();
}

/** Sends an upload (a FormData with the file fields) with the token, if one is given. */
export async function upload(method, path, form, writeToken) {
  const res = await send(path, { method, body: form, accept: 'application/json', writeToken });
  return res.json();
}

/** Sends a JSON body (an edit) with the token, if one is given, and returns the JSON answer. */
export async function sendJSON(method, path, value, writeToken) {
  const res = await send(path, {
    method,
    body: JSON.stringify(value),
    accept: 'application/json',
    writeToken,
    contentType: 'application/json',
  });
  return res.json();
}

/** GET a file (CSV, GeoJSON) as a Blob, with the tab's token; errors as `getJSON`. */
export async function getBlob(path, { signal } = {}) {
  return (await send(path, { signal })).blob();
}

/** A query string from the defined entries of an object. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
