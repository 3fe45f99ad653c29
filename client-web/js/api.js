// The REST client: JSON in and out, cookie auth, and the CSRF header on every state change.
// Server errors arrive as {"error": {code, message}} and become ApiError, whose `userMessage`
// is in the reader's language (the server's own message is kept as detail).
import { has, t } from './i18n.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let currentUser = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }

  /** The localized sentence to show, plus the server's detail where it helps (bad input). */
  get userMessage() {
    const key = `error.${this.code}`;
    const base = has(key) ? t(key) : t('error.unknown');
    if (this.code === 'invalid_input' && this.message && this.message !== this.code) {
      return `${base} (${this.message})`;
    }
    return base;
  }
}

/** Turn any thrown value into the sentence a user should read. */
export function describeError(error) {
  if (error instanceof ApiError) return error.userMessage;
  if (error && typeof error === 'object' && error.code && has(`error.${error.code}`)) {
    return t(`error.${error.code}`);
  }
  return t('error.unknown');
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const fallback = response.status === 401 ? 'not_authenticated' : 'unknown';
    if (response.status === 401 && currentUser && !path.startsWith('/api/auth/')) {
      // The session expired or was revoked: back to the login page.
      currentUser = null;
      csrfToken = null;
      location.hash = '/login';
    }
    throw new ApiError(response.status, error.code || fallback, error.message, error.details);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

/**
 * Send a file as the raw request body; the server decides its type from the content, so the
 * browser's guess is not sent. The name travels percent-encoded in X-File-Name.
 */
export async function upload(path, file) {
  const headers = { Accept: 'application/json', 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name || 'file') };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code || 'unknown', error.message, error.details);
  }
  return data;
}

export function user() {
  return currentUser;
}

/** Who is logged in (from the cookie), or null. Also refreshes the CSRF token. */
export async function loadMe() {
  try {
    const data = await get('/api/me');
    currentUser = { ...data.user, capabilities: data.capabilities || [] };
    csrfToken = data.csrf_token;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      currentUser = null;
      csrfToken = null;
    } else {
      throw error;
    }
  }
  return currentUser;
}

export async function login(loginName, password) {
  const data = await post('/api/auth/login', { login: loginName, password });
  currentUser = data.user;
  csrfToken = data.csrf_token;
  // /api/me adds the feature capabilities (hospital roles…) the top bar's links depend on.
  return loadMe();
}

export async function logout() {
  try {
    await post('/api/auth/logout');
  } finally {
    currentUser = null;
    csrfToken = null;
  }
}
