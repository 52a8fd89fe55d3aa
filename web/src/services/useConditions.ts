/** Each service's condition during failures (conditions.ts), kept current by the event stream. */
import { useEffect, useState } from 'react';
import { getJson } from '../api/client.js';
import type { LightpathEvent, Page } from '../api/ordering-types.js';
import { useRefreshOn } from '../events/useEvents.js';
import { CONDITION_EVENTS, serviceConditions, type Condition } from './conditions.js';

const TYPES = new Set<string>(CONDITION_EVENTS);

/** The conditions (empty until loaded, or when the server keeps no such events). */
export function useServiceConditions(enabled: boolean): Map<string, Condition> {
  const [conditions, setConditions] = useState<Map<string, Condition>>(new Map());
  const tick = useRefreshOn((e) => TYPES.has(e.type));
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    (async () => {
      const all: LightpathEvent[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ format: 'json', limit: '1000', types: CONDITION_EVENTS.join(',') });
        if (cursor !== null) q.set('cursor', cursor);
        const page: Page<LightpathEvent> = await getJson(`/v1/events?${q.toString()}`, ctl.signal);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && !ctl.signal.aborted);
      if (!ctl.signal.aborted) setConditions(serviceConditions(all));
    })().catch(() => {
      // The badges fall back to the service's own state.
    });
    return () => ctl.abort();
  }, [enabled, tick]);
  return conditions;
}
