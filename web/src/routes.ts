/**
 * The portal's screens and their URLs. Path routing (the server answers index.html for any
 * non-/v1 path), so links can be shared and the back button works.
 */
import { useEffect, useState } from 'react';

/** The portal's screens; `operator` ones are shown to operator keys only. */
export const ROUTES = [
  { id: 'network', path: '/', label: 'Network', operator: false },
  { id: 'latency', path: '/latency', label: 'Latency explorer', operator: false },
  { id: 'order', path: '/order', label: 'Quote & order', operator: false },
  { id: 'services', path: '/services', label: 'My services', operator: false },
  { id: 'transfers', path: '/transfers', label: 'Transfers', operator: false },
  { id: 'operator', path: '/operator', label: 'Operations', operator: true },
  { id: 'plans', path: '/plans', label: 'Planning', operator: true },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

/** The route a pathname shows; unknown paths fall back to the network map. */
export function routeOf(pathname: string): RouteId {
  const clean = pathname.replace(/\/+$/, '') || '/';
  return ROUTES.find((r) => r.path === clean)?.id ?? 'network';
}

/** The screens a role may open. */
export function routesFor(role: 'operator' | 'customer'): (typeof ROUTES)[number][] {
  return ROUTES.filter((r) => role === 'operator' || !r.operator);
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
