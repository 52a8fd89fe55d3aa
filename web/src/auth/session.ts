/**
 * The API key lives in sessionStorage: it survives reloads of the tab but not closing it, and is
 * never written anywhere longer-lived.
 */
const KEY = 'lightpath.apiKey';

/** The key the user signed in with, or null. */
export function getApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Remember the key for this tab (null forgets it). */
export function setApiKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}
