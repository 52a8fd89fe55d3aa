/**
 * How a service is carried during a failure, from its tenant's resilience events: switched to its
 * protection path, rerouted (with the latency it added), or down. The service's own `state` says
 * only active or down; these events say how. A later restore, revert or disconnect clears it.
 */
import type { LightpathEvent } from '../api/ordering-types.js';

export type Condition = { kind: 'switched' } | { kind: 'rerouted'; addedLatencyUs: number | null } | { kind: 'down'; reason: string | null };

/** The event types that change a service's condition. */
export const CONDITION_EVENTS = ['service.protection-switched', 'service.rerouted', 'service.down', 'service.restored', 'service.reverted', 'service.disconnected'] as const;

function field<T>(data: unknown, key: string, type: 'number' | 'string'): T | null {
  const v = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === type ? (v as T) : null;
}

/** Each service's condition after the events (in id order); services carried normally are absent. */
export function serviceConditions(events: readonly LightpathEvent[]): Map<string, Condition> {
  const out = new Map<string, Condition>();
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.subject.kind !== 'service') continue;
    const id = e.subject.id;
    switch (e.type) {
      case 'service.protection-switched':
        out.set(id, { kind: 'switched' });
        break;
      case 'service.rerouted': {
        // A second reroute during one failure adds to the path the first one chose; the figure is
        // always against the path the service was designed on.
        out.set(id, { kind: 'rerouted', addedLatencyUs: field<number>(e.data, 'addedLatencyUs', 'number') });
        break;
      }
      case 'service.down':
        out.set(id, { kind: 'down', reason: field<string>(e.data, 'reason', 'string') });
        break;
      case 'service.restored':
      case 'service.reverted':
      case 'service.disconnected':
        out.delete(id);
        break;
    }
  }
  return out;
}

/** What the portal shows for a service: its condition when it has one, else its state. */
export function conditionLabel(c: Condition, formatUs: (us: number) => string): string {
  if (c.kind === 'switched') return 'Protected — switched';
  if (c.kind === 'rerouted') return c.addedLatencyUs === null ? 'Rerouted' : `Rerouted (+${formatUs(c.addedLatencyUs)})`;
  return 'Down';
}
