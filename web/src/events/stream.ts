/**
 * The live event stream (GET /v1/events, text/event-stream) read with fetch() so the API key goes in
 * the Authorization header, which EventSource cannot send. Starts with events from now on
 * (?after=latest) and reconnects after drops, resuming with Last-Event-ID so no event is lost or
 * seen twice.
 */
import type { LightpathEvent } from '../api/ordering-types.js';
import { getApiKey } from '../auth/session.js';
import { createSseParser } from './sse.js';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** How many events recent() keeps. */
export const RECENT_EVENTS = 500;

export type EventListener = (e: LightpathEvent) => void;

class StreamRefused extends Error {
  constructor(readonly status: number) {
    super(`event stream refused: HTTP ${status}`);
  }
}

/** One stream per signed-in session, shared by every screen through subscribe(). */
export class EventStream {
  private readonly listeners = new Set<EventListener>();
  private readonly statusListeners = new Set<(s: StreamStatus) => void>();
  private ctl: AbortController | null = null;
  private lastId: string | null = null;
  private retryMs = 3000;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: StreamStatus = 'closed';
  // Recent events, so a screen that learns an id from a response can catch up on events that
  // arrived on the stream before the response did.
  private readonly buffer: LightpathEvent[] = [];

  /** Start (or restart) following. */
  start(): void {
    this.stop();
    this.connect(false);
  }

  /** Stop following; listeners stay registered. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.ctl?.abort();
    this.ctl = null;
    this.setStatus('closed');
  }

  /** Call fn for every event from now on; returns the unsubscribe function. */
  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Follow the connection status; returns the unsubscribe function. */
  onStatus(fn: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.current);
    return () => this.statusListeners.delete(fn);
  }

  /** The last events received (at most RECENT_EVENTS), oldest first. */
  recent(): readonly LightpathEvent[] {
    return this.buffer;
  }

  /** Current connection status. */
  status(): StreamStatus {
    return this.current;
  }

  private setStatus(s: StreamStatus): void {
    if (s === this.current) return;
    this.current = s;
    for (const fn of this.statusListeners) fn(s);
  }

  private connect(again: boolean): void {
    const ctl = new AbortController();
    this.ctl = ctl;
    this.setStatus(again ? 'reconnecting' : 'connecting');
    let refused = false;
    this.read(ctl.signal)
      .catch((e: unknown) => {
        refused = e instanceof StreamRefused;
      })
      .finally(() => {
        if (ctl.signal.aborted || this.ctl !== ctl) return;
        // A rejected key will not start working by itself: stop instead of knocking every few seconds.
        if (refused) {
          this.setStatus('closed');
          return;
        }
        this.setStatus('reconnecting');
        this.timer = setTimeout(() => this.connect(true), this.retryMs);
      });
  }

  private async read(signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const key = getApiKey();
    if (key !== null) headers.authorization = `Bearer ${key}`;
    // The first connection follows from now on (screens load current state themselves) rather than
    // replaying the history; later ones resume after the last event seen.
    if (this.lastId !== null) headers['last-event-id'] = this.lastId;
    const res = await fetch(this.lastId === null ? '/v1/events?after=latest' : '/v1/events', { headers, signal, cache: 'no-store' });
    if (res.status === 401 || res.status === 403) throw new StreamRefused(res.status);
    if (!res.ok || res.body === null) throw new Error(`event stream: HTTP ${res.status}`);
    this.setStatus('open');
    const parser = createSseParser((m) => {
      if (m.id !== null) this.lastId = m.id;
      let e: LightpathEvent;
      try {
        e = JSON.parse(m.data) as LightpathEvent;
      } catch {
        return;
      }
      this.buffer.push(e);
      if (this.buffer.length > RECENT_EVENTS) this.buffer.splice(0, this.buffer.length - RECENT_EVENTS);
      for (const fn of this.listeners) fn(e);
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
      const retry = parser.retryMs();
      if (retry !== null) this.retryMs = Math.max(500, retry);
    }
  }
}
