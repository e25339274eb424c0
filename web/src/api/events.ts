// Server-Sent Events from the API. EventSource sends the session cookies (same origin) but no
// headers: neither CSRF (a GET needs none) nor X-Organization-Id, so a platform admin's stream
// spans every organization and callers filter what arrives by the switcher's choice.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ApiError } from './errors';

/**
 * StreamState is where a stream stands: idle (none asked for), connecting (the first time),
 * open, reconnecting (after a drop or a refusal), ended (the server said it has nothing more),
 * stopped (the resource is gone or forbidden) or unsupported (no EventSource in this browser).
 */
export type StreamState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'ended' | 'stopped' | 'unsupported';

export interface StreamOptions {
  /** What to do with each named event; data is the event's JSON, parsed. */
  on: Record<string, (data: unknown) => void>;
  /** The event after which the server has nothing more to say: the stream is closed, not resumed. */
  endEvent?: string;
  /** The query string for each connection, read when it opens (e.g. where to resume). */
  query?: () => Record<string, string | number | undefined>;
  /**
   * Reads again, through the API client, what the stream may have missed. It runs when a
   * dropped stream comes back, and before reopening one the server refused: a refused stream
   * is most often an expired access cookie, which the client's request refreshes.
   */
  resync?: () => Promise<unknown>;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/** useEventStream follows the event stream at path (null: none) until the component goes away. */
export function useEventStream(path: string | null, options: StreamOptions): StreamState {
  const supported = typeof EventSource !== 'undefined';
  const [state, setState] = useState<StreamState>(supported ? 'connecting' : 'unsupported');
  // The handlers change on every render; the connection must not.
  const opts = useRef(options);
  useLayoutEffect(() => {
    opts.current = options;
  });

  useEffect(() => {
    if (!path || !supported) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let delay = RETRY_FIRST_MS;
    let openedBefore = false;
    setState('connecting');

    const connect = () => {
      const es = new EventSource(withQuery(path, opts.current.query?.()));
      source = es;
      es.onopen = () => {
        delay = RETRY_FIRST_MS;
        if (openedBefore) void opts.current.resync?.().catch(() => undefined);
        openedBefore = true;
        setState('open');
      };
      for (const name of Object.keys(opts.current.on)) {
        es.addEventListener(name, (ev) => {
          let data: unknown;
          try {
            data = JSON.parse((ev as MessageEvent<string>).data);
          } catch {
            return;
          }
          opts.current.on[name]?.(data);
          if (name === opts.current.endEvent) {
            stopped = true;
            es.close();
            setState('ended');
          }
        });
      }
      es.onerror = () => {
        if (stopped) return;
        setState('reconnecting');
        // CONNECTING: the connection dropped and the browser reconnects by itself, sending
        // Last-Event-ID. CLOSED: the server answered with something other than a stream.
        if (es.readyState !== EventSource.CLOSED) return;
        es.close();
        timer = setTimeout(() => void reopen(), delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      };
    };

    const reopen = async () => {
      try {
        await opts.current.resync?.();
      } catch (err) {
        // What the stream follows is gone, or no longer this user's to see: stop asking.
        if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
          stopped = true;
          setState('stopped');
          return;
        }
      }
      if (!stopped) connect();
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [path, supported]);

  if (!supported) return 'unsupported';
  return path ? state : 'idle';
}

function withQuery(path: string, query?: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
