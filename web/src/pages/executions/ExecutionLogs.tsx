import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { LogLine } from '../../api/types';

// How close to the bottom (in pixels) still counts as following the log.
const BOTTOM_SLACK = 24;

interface ExecutionLogsProps {
  lines: readonly LogLine[];
  /** Whether more lines may still arrive (the execution runs). */
  running: boolean;
}

/**
 * ExecutionLogs is an execution's log. While the reader is at the bottom it follows new lines;
 * once they scroll up it stays where they are, and offers a way back.
 */
export function ExecutionLogs({ lines, running }: ExecutionLogsProps) {
  const box = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [lines.length, following]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    if (atBottom !== following) setFollowing(atBottom);
  };

  if (!lines.length) {
    return (
      <p className="muted log-empty" data-testid="execution-log-empty">
        {running ? 'Waiting for the first log line…' : 'This execution wrote no log lines.'}
      </p>
    );
  }
  return (
    <div className="log-wrap">
      {/* role="log": assistive technology reads out new lines as they are added. */}
      <div className="log-box" ref={box} onScroll={onScroll} role="log" aria-label="Log" tabIndex={0} data-testid="execution-log">
        <ol className="log-lines">
          {lines.map((l) => (
            <Line key={l.seq} line={l} />
          ))}
        </ol>
      </div>
      {!following ? (
        <button type="button" className="btn btn-small log-follow" onClick={() => setFollowing(true)}>
          {running ? 'Follow new lines' : 'Jump to the end'}
        </button>
      ) : null}
    </div>
  );
}

const Line = memo(function Line({ line: l }: { line: LogLine }) {
  return (
    <li className={`log-line log-${l.level}`} data-testid="execution-log-line" data-level={l.level}>
      <time className="log-time" dateTime={l.time} title={new Date(l.time).toLocaleString()}>
        {timeOf(l.time)}
      </time>
      <span className="log-level">{l.level}</span>
      {l.level === 'traceback' ? <pre className="log-message">{l.message}</pre> : <span className="log-message">{l.message}</span>}
      {l.data !== undefined && l.data !== null ? <code className="log-data">{JSON.stringify(l.data)}</code> : null}
    </li>
  );
});

// The wall-clock time of a line, to the millisecond: lines a few ms apart stay in order to the eye.
function timeOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
