/** React access to the session's event stream: listen, show its status, refresh data on events. */
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { LightpathEvent } from '../api/ordering-types.js';
import type { EventStream, StreamStatus } from './stream.js';

/** The signed-in session's stream (null before sign-in). */
export const EventsContext = createContext<EventStream | null>(null);

/** The stream itself, for screens that replay recent() events. */
export function useEventStream(): EventStream | null {
  return useContext(EventsContext);
}

/** Call fn for every event while mounted (always the latest fn, without resubscribing). */
export function useEventListener(fn: (e: LightpathEvent) => void): void {
  const stream = useContext(EventsContext);
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => (stream === null ? undefined : stream.subscribe((e) => ref.current(e))), [stream]);
}

/** The stream's connection status. */
export function useStreamStatus(): StreamStatus {
  const stream = useContext(EventsContext);
  const [status, setStatus] = useState<StreamStatus>(stream?.status() ?? 'closed');
  useEffect(() => (stream === null ? undefined : stream.onStatus(setStatus)), [stream]);
  return status;
}

/**
 * A counter that goes up shortly after matching events stop arriving: put it in a loader's deps to
 * reload once per burst (a reconnect can replay many events at once) rather than once per event. It
 * also goes up when the stream (re)connects after this screen mounted: the stream starts from "now",
 * so whatever changed between the screen's first load and the connection would otherwise be missed.
 */
export function useRefreshOn(match: (e: LightpathEvent) => boolean, quietMs = 250): number {
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const matchRef = useRef(match);
  matchRef.current = match;
  const bump = (): void => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setTick((n) => n + 1);
    }, quietMs);
  };
  useEventListener((e) => {
    if (matchRef.current(e)) bump();
  });
  const stream = useContext(EventsContext);
  useEffect(() => {
    if (stream === null) return undefined;
    let last: StreamStatus | null = null;
    return stream.onStatus((s) => {
      // The first call reports the status at mount: only a later transition to open refreshes.
      if (s === 'open' && last !== null && last !== 'open') bump();
      last = s;
    });
    // bump only touches refs and state setters: subscribing once per stream is enough.
  }, [stream]);
  useEffect(() => () => {
    if (timer.current !== null) clearTimeout(timer.current);
  }, []);
  return tick;
}
