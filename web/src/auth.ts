// The API token of the signed-in person, kept in the browser's localStorage under one key so
// that a reload stays signed in; "Sign out" removes it. Also takes a token from a sign-in link's
// fragment (#token=rpt_...) and removes it from the address bar at once.
import { parseTokenFragment } from './router';

const STORAGE_KEY = 'rapport.console.token';

function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null; // storage disabled: the token lives only as long as the page
  }
}

let memoryToken: string | null = null;

export function loadToken(): string | null {
  const s = storage();
  const t = s ? s.getItem(STORAGE_KEY) : memoryToken;
  return t && t.trim() !== '' ? t : null;
}

export function saveToken(token: string): void {
  memoryToken = token;
  storage()?.setItem(STORAGE_KEY, token);
}

export function clearToken(): void {
  memoryToken = null;
  storage()?.removeItem(STORAGE_KEY);
}

/**
 * If the address holds a sign-in fragment, returns its token and replaces the address with the
 * page to go to (so the token is neither shown nor kept in the history); null otherwise.
 */
export function takeTokenFromAddress(): string | null {
  const found = parseTokenFragment(window.location.hash);
  if (!found) return null;
  const url = window.location.pathname + window.location.search + found.next;
  window.history.replaceState(null, '', url);
  return found.token;
}
