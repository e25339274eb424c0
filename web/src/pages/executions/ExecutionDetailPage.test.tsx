import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ExecutionDetail } from '../../api/types';
import { stubEventSource } from '../../test/eventSource';
import { detail, execution, line } from '../../test/executions';
import { adminMe, jsonResponse, meResponse, mockServer, problem, renderApp, setCookie } from '../../test/render';

const ID = '00000000-0000-4000-8000-00000000e001';
const NEXT = '00000000-0000-4000-8000-00000000e002';
const PATH = `/api/executions/${ID}`;

function server(first: ExecutionDetail | (() => ExecutionDetail), extra: Parameters<typeof mockServer>[0] = {}, me = meResponse({ permissions: ['workflows.run'] })) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/organizations': () => jsonResponse({ items: [], next_cursor: null }),
    [`GET ${PATH}`]: () => jsonResponse(typeof first === 'function' ? first() : first),
    ...extra,
  });
}

const status = () => screen.getByTestId('execution-status');
const logText = () => screen.queryAllByTestId('execution-log-line').map((l) => l.querySelector('.log-message')?.textContent);

describe('ExecutionDetailPage', () => {
  it('shows who ran what, when, for whom, and with which inputs', async () => {
    server(
      detail({
        status: 'Success', trigger: 'schedule', attempts: 2, worker: 'worker-7@host', parent_id: NEXT, input_data: { steps: 3, interval_ms: 10 },
        started_at: '2026-11-29T10:00:01Z', completed_at: '2026-11-29T10:00:04Z', duration_ms: 3150, result: null,
      }),
    );
    renderApp(`/executions/${ID}`);

    await screen.findByRole('heading', { level: 1, name: 'count_steps' });
    expect(status().textContent).toBe('Success');
    expect(status().dataset.status).toBe('Success');
    const facts = screen.getByTestId('execution-facts');
    for (const text of ['count_steps', 'Tess Tech', 'tech@contoso.com', 'Contoso', 'Schedule', '3.2 s', '2', 'worker-7@host']) {
      expect(facts.textContent).toContain(text);
    }
    expect(within(facts).getByRole('link', { name: 'count_steps' }).getAttribute('href')).toBe('/workflows/count_steps');
    expect(screen.getByTestId('execution-parent').getAttribute('href')).toBe(`/executions/${NEXT}`);
    expect(JSON.parse(screen.getByTestId('execution-input').textContent ?? '')).toEqual({ steps: 3, interval_ms: 10 });
    expect(screen.getByTestId('execution-result').textContent).toBe('The workflow returned nothing.');
    expect(screen.getByTestId('execution-log-empty').textContent).toBe('This execution wrote no log lines.');
    expect(screen.getByRole('link', { name: '← All executions' }).getAttribute('href')).toBe('/executions');
  });

  it('follows a running execution: lines stream in, then the status, then the result', async () => {
    const sse = stubEventSource();
    const running = detail({ status: 'Running', logs: [line(1, 'step 1 of 3')] });
    let current: ExecutionDetail = running;
    const { seen } = server(() => current);
    renderApp(`/executions/${ID}`);

    await screen.findByText('step 1 of 3');
    expect(status().textContent).toBe('Running');
    const stream = await sse.stream(`${PATH}/stream`);
    expect(stream.url).toBe(`${PATH}/stream?after=1`);
    stream.open();
    expect(screen.getByTestId('live-indicator').textContent).toBe('Live');

    // A replayed line is not shown twice.
    stream.send('log', line(1, 'step 1 of 3'), '1');
    stream.send('log', line(2, 'step 2 of 3'), '2');
    stream.send('log', line(3, 'step 3 of 3', 'warning'), '3');
    await vi.waitFor(() => expect(logText()).toEqual(['step 1 of 3', 'step 2 of 3', 'step 3 of 3']));
    expect(screen.getAllByTestId('execution-log-line')[2].dataset.level).toBe('warning');
    expect(screen.queryByTestId('execution-result')).toBeNull();

    const done = execution({ status: 'Success', result: { steps: 3, done: true }, result_type: 'json', duration_ms: 3100, completed_at: '2026-11-29T10:00:04Z' });
    current = { ...detail(done), logs: [line(1, 'step 1 of 3'), line(2, 'step 2 of 3'), line(3, 'step 3 of 3', 'warning')] };
    stream.send('end', done);

    await vi.waitFor(() => expect(status().textContent).toBe('Success'));
    expect(stream.closed).toBe(true);
    const result = await screen.findByTestId('execution-result');
    const tree = within(result).getByRole('list', { name: 'Result' });
    expect(within(tree).getByText('done')).toBeTruthy();
    expect(within(tree).getByText('true').className).toBe('json-boolean');
    expect(logText()).toHaveLength(3);
    expect(screen.queryByTestId('live-indicator')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    await vi.waitFor(() => expect(seen.filter((r) => r.path === PATH)).toHaveLength(2));
  });

  it('opens the stream again after the server refused it, from the last line it has', async () => {
    const sse = stubEventSource();
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { seen } = server(detail({ status: 'Running', logs: [line(1, 'one')] }));
      renderApp(`/executions/${ID}`);
      const first = await sse.stream(`${PATH}/stream`);
      first.open();
      first.send('log', line(2, 'two'), '2');
      await vi.waitFor(() => expect(logText()).toEqual(['one', 'two']));

      first.refuse();
      expect(screen.getByTestId('live-indicator').textContent).toBe('Reconnecting…');
      await vi.advanceTimersByTimeAsync(1000);
      const second = await sse.stream(`${PATH}/stream`);
      expect(second).not.toBe(first);
      expect(second.url).toBe(`${PATH}/stream?after=2`);
      // The page read the execution again through the client first (which refreshes a lapsed session).
      expect(seen.filter((r) => r.path === PATH).length).toBeGreaterThanOrEqual(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the newest line in view, unless the reader scrolled up', async () => {
    const sse = stubEventSource();
    server(detail({ status: 'Running', logs: [line(1, 'one'), line(2, 'two')] }));
    renderApp(`/executions/${ID}`);
    await screen.findByText('two');
    const stream = await sse.stream(`${PATH}/stream`);
    stream.open();

    // jsdom lays nothing out: the box says how tall it and its content are.
    const box = screen.getByTestId('execution-log');
    let height = 1000;
    Object.defineProperty(box, 'scrollHeight', { configurable: true, get: () => height });
    Object.defineProperty(box, 'clientHeight', { configurable: true, get: () => 200 });

    height = 1100;
    stream.send('log', line(3, 'three'), '3');
    await screen.findByText('three');
    expect(box.scrollTop).toBe(1100);

    box.scrollTop = 300;
    fireEvent.scroll(box);
    const follow = await screen.findByRole('button', { name: 'Follow new lines' });
    height = 1200;
    stream.send('log', line(4, 'four'), '4');
    await screen.findByText('four');
    expect(box.scrollTop).toBe(300);

    fireEvent.click(follow);
    expect(box.scrollTop).toBe(1200);
    expect(screen.queryByRole('button', { name: 'Follow new lines' })).toBeNull();
  });

  it('does not follow an execution that has ended, and pages through a long log', async () => {
    const sse = stubEventSource();
    const lines = Array.from({ length: 3 }, (_, i) => line(i + 1, `line ${i + 1}`));
    const { seen } = server(detail({ status: 'Failed', logs: lines, logs_next_after: 3 }), {
      [`GET ${PATH}/logs`]: () => jsonResponse({ items: [line(4, 'line 4', 'error'), line(5, 'Traceback (most recent call last):\n  boom', 'traceback')], next_after: null }),
    });
    renderApp(`/executions/${ID}`);

    await screen.findByText('line 3');
    fireEvent.click(screen.getByRole('button', { name: 'Load more lines' }));
    await screen.findByText('line 4');
    expect(seen.find((r) => r.path.startsWith(`${PATH}/logs`))?.path).toBe(`${PATH}/logs?after=3&limit=1000`);
    expect(screen.queryByRole('button', { name: 'Load more lines' })).toBeNull();
    const traceback = screen.getAllByTestId('execution-log-line')[4];
    expect(traceback.dataset.level).toBe('traceback');
    expect(traceback.querySelector('pre')?.textContent).toContain('boom');
    expect(sse.streams).toHaveLength(0);
  });

  it('shows the error, with the exception when the server sends it (platform admins)', async () => {
    server(
      detail({
        status: 'Failed',
        error: { type: 'ValueError', message: 'steps must be between 0 and 1000', detail: 'Traceback (most recent call last):\n  File "progress.py", line 14' },
      }),
      {},
      adminMe(),
    );
    renderApp(`/executions/${ID}`);

    const error = await screen.findByTestId('execution-error');
    expect(error.textContent).toContain('ValueError');
    expect(error.textContent).toContain('steps must be between 0 and 1000');
    expect(within(error).getByText('Details')).toBeTruthy();
    expect(error.querySelector('pre')?.textContent).toContain('progress.py');
    expect(status().textContent).toBe('Failed');
    // It returned nothing: there is no result to speak of.
    expect(screen.queryByTestId('execution-result')).toBeNull();
  });

  it('renders an HTML result in a sandbox that runs nothing, and text as it is', async () => {
    server(detail({ status: 'Success', result: '<table><tr><td>E3</td></tr></table><script>alert(1)</script>', result_type: 'html' }));
    const view = renderApp(`/executions/${ID}`);

    const frame = (await screen.findByTitle('HTML result')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain('<td>E3</td>');
    view.unmount();

    server(detail({ status: 'Success', result: 'line one\n  line two', result_type: 'text' }));
    renderApp(`/executions/${ID}`);
    const text = await screen.findByTestId('execution-result');
    expect(text.tagName).toBe('PRE');
    expect(text.textContent).toBe('line one\n  line two');
  });

  it('cancels a running execution', async () => {
    stubEventSource();
    const { seen } = server(detail({ status: 'Running' }), {
      [`POST ${PATH}/cancel`]: () => jsonResponse(execution({ status: 'Cancelling' })),
    });
    renderApp(`/executions/${ID}`);

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    await vi.waitFor(() => expect(status().textContent).toBe('Cancelling'));
    expect(seen.find((r) => r.method === 'POST')?.headers['X-CSRF-Token']).toBe('tok');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('says so when the execution ended before the cancel arrived', async () => {
    stubEventSource();
    let current = detail({ status: 'Running' });
    server(() => current, {
      [`POST ${PATH}/cancel`]: () => {
        current = detail({ status: 'Success' });
        return problem(409, 'executions.already_ended', 'The execution already ended (Success).');
      },
    });
    renderApp(`/executions/${ID}`);

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The execution already ended (Success).');
    await vi.waitFor(() => expect(status().textContent).toBe('Success'));
  });

  it('runs the workflow again with the same inputs and opens the new execution', async () => {
    const { seen } = server(detail({ status: 'Failed', input_data: { steps: 100, interval_ms: 5 } }), {
      'POST /api/workflows/count_steps/execute': () => jsonResponse({ execution_id: NEXT, status: 'Pending' }, 202),
      [`GET /api/executions/${NEXT}`]: () => jsonResponse(detail({ id: NEXT, status: 'Success', input_data: { steps: 100, interval_ms: 5 } })),
    });
    const { router } = renderApp(`/executions/${ID}`);

    fireEvent.click(await screen.findByRole('button', { name: 'Run again' }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe(`/executions/${NEXT}`));
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ input_data: { steps: 100, interval_ms: 5 } });
    await screen.findByText(`Execution ${NEXT}`);
  });

  it('offers neither cancel nor run again to a user who may not run workflows', async () => {
    stubEventSource();
    server(detail({ status: 'Running' }), {}, meResponse({ permissions: [] }));
    renderApp(`/executions/${ID}`);

    await screen.findByRole('heading', { level: 1, name: 'count_steps' });
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Run again' })).toBeNull();
  });

  it('says so when there is no such execution', async () => {
    setCookie('bifrost_csrf', 'tok');
    mockServer({
      'GET /api/auth/me': () => jsonResponse(meResponse()),
      [`GET ${PATH}`]: () => problem(404, 'executions.not_found', 'No execution has this id.'),
    });
    renderApp(`/executions/${ID}`);

    await screen.findByRole('heading', { name: 'Execution not found' });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
