// A stand-in for the browser's EventSource, which jsdom lacks: tests open, feed and break the
// streams a page follows.
import { act } from '@testing-library/react';
import { vi } from 'vitest';

/** FakeEventSource records each stream a page opens; the test plays the server's part. */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  readonly url: string;
  readonly withCredentials = false;
  readyState = FakeEventSource.CONNECTING;
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  private listeners = new Map<string, Set<(ev: MessageEvent) => void>>();

  constructor(url: string | URL, all: FakeEventSource[]) {
    this.url = String(url);
    all.push(this);
  }

  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }

  removeEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.listeners.get(type)?.delete(fn);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  get closed(): boolean {
    return this.readyState === FakeEventSource.CLOSED;
  }

  /** open answers the request with a stream. */
  open() {
    act(() => {
      this.readyState = FakeEventSource.OPEN;
      this.onopen?.(new Event('open'));
    });
  }

  /** send delivers one event, its data as JSON. */
  send(type: string, data: unknown, id?: string) {
    act(() => {
      if (this.closed) return;
      const ev = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id ?? '' });
      for (const fn of this.listeners.get(type) ?? []) fn(ev);
    });
  }

  /** refuse ends the stream as an error answer does: the browser gives up on it. */
  refuse() {
    act(() => {
      this.readyState = FakeEventSource.CLOSED;
      this.onerror?.(new Event('error'));
    });
  }
}

/** stubEventSource installs FakeEventSource; streams lists what the page opened, in order. */
export function stubEventSource() {
  const streams: FakeEventSource[] = [];
  class Bound extends FakeEventSource {
    constructor(url: string | URL) {
      super(url, streams);
    }
  }
  vi.stubGlobal('EventSource', Bound);
  /** stream returns the last stream opened on path (the query string aside), waiting for it. */
  const stream = async (path: string) => {
    let found: FakeEventSource | undefined;
    await vi.waitFor(() => {
      found = streams.findLast((s) => new URL(s.url, 'http://localhost').pathname === path && !s.closed);
      if (!found) throw new Error(`no open stream on ${path}; opened: ${streams.map((s) => s.url).join(', ') || 'none'}`);
    });
    return found!;
  };
  return { streams, stream };
}
