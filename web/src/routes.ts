/**
 * The portal's screens and their URLs. Path routing (the server answers index.html for any
 * non-/v1 path), so links can be shared and the back button works.
 */
import { useEffect, useState } from 'react';

/** Screens that exist now. Quotes, orders, services and failures join this list in later issues. */
export const ROUTES = [
  { id: 'network', path: '/', label: 'Network' },
  { id: 'latency', path: '/latency', label: 'Latency explorer' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

/** The route a pathname shows; unknown paths fall back to the network map. */
export function routeOf(pathname: string): RouteId {
  const clean = pathname.replace(/\/+$/, '') || '/';
  return ROUTES.find((r) => r.path === clean)?.id ?? 'network';
}

/** Current route and search params, following pushState and the back button. */
export function useLocation(): { route: RouteId; params: URLSearchParams; navigate: (path: string, replace?: boolean) => void } {
  const [loc, setLoc] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const onPop = () => setLoc({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (path: string, replace = false) => {
    const url = new URL(path, window.location.origin);
    if (url.pathname + url.search === window.location.pathname + window.location.search) return;
    if (replace) window.history.replaceState(null, '', url.pathname + url.search);
    else window.history.pushState(null, '', url.pathname + url.search);
    setLoc({ pathname: url.pathname, search: url.search });
  };
  return { route: routeOf(loc.pathname), params: new URLSearchParams(loc.search), navigate };
}
