import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { DashboardEventSchema, type DashboardEvent } from '@tuneforge/contracts';
import { client } from './api';

export type Connection = 'connecting' | 'live' | 'disconnected';
type Listener = (event: DashboardEvent | { type: 'reconnected' }) => void;

const EVENT_TYPES: DashboardEvent['type'][] = DashboardEventSchema.options.map((option) => option.shape.type.value);
/** Three missed heartbeats (10 s apart) mean the stream is dead even if the socket looks open. */
const SILENCE_MS = 30_000;
const RECONNECT_MS = 2_000;

interface EventsContextValue {
  connection: Connection;
  subscribe: (listener: Listener) => () => void;
}

const EventsContext = createContext<EventsContextValue>({ connection: 'connecting', subscribe: () => () => undefined });

/**
 * One EventSource for the whole app. The browser reconnects on its own after the `retry:` the
 * coordinator sends; a stream that fails for good or goes silent is replaced. After any reconnect
 * listeners get `reconnected` and reload what they show, since missed events are not replayed.
 * `onStreamError` hears of every failure (so the session can be checked: the stream cannot say it was a 401).
 */
export function EventsProvider({ children, onStreamError }: { children: ReactNode; onStreamError?: () => void }) {
  const [connection, setConnection] = useState<Connection>('connecting');
  const listeners = useRef(new Set<Listener>());
  const latestOnStreamError = useRef(onStreamError);
  latestOnStreamError.current = onStreamError;
  useEffect(() => {
    let source: EventSource | undefined;
    let lastMessageAt = Date.now();
    let everConnected = false;
    let lostSinceHello = false;
    let reopenTimer: number | undefined;
    const emit: Listener = (event) => listeners.current.forEach((listener) => listener(event));
    const open = () => {
      source?.close();
      source = new EventSource(client.url('events'));
      lastMessageAt = Date.now();
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (message) => {
          lastMessageAt = Date.now();
          const parsed = DashboardEventSchema.safeParse({ type, ...JSON.parse((message as MessageEvent<string>).data) });
          if (!parsed.success) return;
          const event = parsed.data;
          if (type === 'hello') {
            setConnection('live');
            if (everConnected && lostSinceHello) emit({ type: 'reconnected' });
            everConnected = true;
            lostSinceHello = false;
          }
          emit(event);
        });
      }
      source.onerror = () => {
        // EventSource hides the status: a stream refused with 401 looks like any other failure.
        latestOnStreamError.current?.();
        lostSinceHello = true;
        setConnection('disconnected');
        if (source?.readyState === EventSource.CLOSED) {
          window.clearTimeout(reopenTimer);
          reopenTimer = window.setTimeout(open, RECONNECT_MS);
        }
      };
    };
    open();
    const watchdog = window.setInterval(() => {
      if (Date.now() - lastMessageAt > SILENCE_MS) {
        lostSinceHello = true;
        setConnection('disconnected');
        open();
      }
    }, 5_000);
    return () => {
      window.clearInterval(watchdog);
      window.clearTimeout(reopenTimer);
      source?.close();
    };
  }, []);
  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  const value = useMemo(() => ({ connection, subscribe }), [connection, subscribe]);
  return <EventsContext.Provider value={value}>{children}</EventsContext.Provider>;
}

export function useConnection(): Connection {
  return useContext(EventsContext).connection;
}

/**
 * Calls `onChange` (at most once per `throttleMs`) when an event that `matters` arrives, and
 * after every reconnect.
 */
export function useLiveReload(matters: (event: DashboardEvent) => boolean, onChange: () => void, throttleMs = 1_000): void {
  const { subscribe } = useContext(EventsContext);
  const latest = useRef({ matters, onChange });
  latest.current = { matters, onChange };
  useEffect(() => {
    let timer: number | undefined;
    let lastRun = 0;
    const fire = () => {
      timer = undefined;
      lastRun = Date.now();
      latest.current.onChange();
    };
    const unsubscribe = subscribe((event) => {
      if (event.type !== 'reconnected' && !latest.current.matters(event)) return;
      if (timer !== undefined) return;
      timer = window.setTimeout(fire, Math.max(0, lastRun + throttleMs - Date.now()));
    });
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
    };
  }, [subscribe, throttleMs]);
}
