import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { setSelectedOrganization } from '../../api/orgScope';
import type { Execution } from '../../api/types';
import { stubEventSource } from '../../test/eventSource';
import { execution } from '../../test/executions';
import { adminMe, jsonResponse, meResponse, mockServer, renderApp, setCookie, type SeenRequest } from '../../test/render';
import { definition } from '../../test/workflows';

const CONTOSO = '00000000-0000-4000-8000-0000000000c0';
const FABRIKAM = '00000000-0000-4000-8000-0000000000f0';
const id = (n: number) => `00000000-0000-4000-8000-00000000e${String(n).padStart(3, '0')}`;

const succeeded = execution({
  id: id(1), workflow_name: 'count_steps', status: 'Success', duration_ms: 3150, created_at: '2026-11-29T10:00:00Z', started_at: '2026-11-29T10:00:01Z',
});
const failed = execution({
  id: id(2), workflow_name: 'hello_world', status: 'Failed', user_name: '', user_email: 'admin@example.com', organization_id: null, org_name: '',
  created_at: '2026-11-29T09:00:00Z', started_at: '2026-11-29T09:00:01Z', duration_ms: 420,
});

const organization = (orgId: string, name: string) => ({ id: orgId, name, slug: name.toLowerCase(), is_active: true, settings: {}, created_at: '', updated_at: '' });

function server(list: (req: SeenRequest) => { items: Execution[]; next_cursor?: string | null }, me = adminMe()) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(me),
    'GET /api/organizations': () => jsonResponse({ items: [organization(CONTOSO, 'Contoso'), organization(FABRIKAM, 'Fabrikam')], next_cursor: null }),
    'GET /api/workflows': () => jsonResponse({ items: [definition({ name: 'count_steps' }), definition({})], categories: [], errors: [], scanned_at: '2026-11-29T07:00:00Z' }),
    'GET /api/executions': (req) => jsonResponse(list(req)),
  });
}

const listRequests = (seen: SeenRequest[]) => seen.filter((r) => r.path.startsWith('/api/executions')).map((r) => r.path);
const rowTexts = () => within(screen.getByRole('table', { name: 'Executions' })).getAllByRole('row').slice(1).map((r) => r.dataset.testid);

describe('ExecutionsPage', () => {
  it('lists executions with their status, user, organization, start and duration, each linking to its page', async () => {
    stubEventSource();
    server(() => ({ items: [succeeded, failed], next_cursor: null }));
    renderApp('/executions');

    const row = await screen.findByTestId(`execution-row-${id(1)}`);
    expect(within(row).getByRole('link', { name: 'count_steps' }).getAttribute('href')).toBe(`/executions/${id(1)}`);
    for (const text of ['Success', 'Tess Tech', 'tech@contoso.com', 'Contoso', new Date('2026-11-29T10:00:01Z').toLocaleString(), '3.2 s']) {
      expect(row.textContent).toContain(text);
    }
    expect(row.querySelector('.exec-status-success')).toBeTruthy();
    const other = screen.getByTestId(`execution-row-${id(2)}`);
    expect(other.querySelector('[data-status="Failed"]')?.textContent).toBe('Failed');
    for (const text of ['admin@example.com', 'Global', '420 ms']) expect(other.textContent).toContain(text);
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Executions' }).getAttribute('href')).toBe('/executions');
  });

  it('filters by workflow, status and time, keeping the filters in the address', async () => {
    stubEventSource();
    const { seen } = server(() => ({ items: [succeeded] }));
    const { router } = renderApp('/executions');
    await screen.findByTestId(`execution-row-${id(1)}`);

    // With the workspace's names as suggestions, the box is a combobox.
    fireEvent.change(screen.getByRole('combobox', { name: 'Workflow' }), { target: { value: 'count_steps ' } });
    await vi.waitFor(() => expect(listRequests(seen)).toContain('/api/executions?workflow=count_steps&limit=50'));
    expect(router.state.location.search).toBe('?workflow=count_steps');
    const options = document.querySelectorAll('datalist option');
    expect([...options].map((o) => o.getAttribute('value'))).toEqual(['count_steps', 'hello_world']);

    fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), { target: { value: 'Failed,Timeout,CompletedWithErrors' } });
    await vi.waitFor(() => expect(listRequests(seen).at(-1)).toBe('/api/executions?workflow=count_steps&status=Failed%2CTimeout%2CCompletedWithErrors&limit=50'));

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-29T08:00' } });
    const since = new Date('2026-11-29T08:00').toISOString();
    await vi.waitFor(() => expect(new URL(listRequests(seen).at(-1)!, 'http://x').searchParams.get('since')).toBe(since));
    expect(new URLSearchParams(router.state.location.search).get('since')).toBe('2026-11-29T08:00');
  });

  it('offers to clear the filters when nothing matches, and says how to start when there is nothing at all', async () => {
    stubEventSource();
    server(() => ({ items: [] }));
    renderApp('/executions?status=Cancelled');

    await screen.findByText('No executions match.');
    expect((screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement).value).toBe('Cancelled');
    fireEvent.click(screen.getByRole('button', { name: 'Clear the filters' }));
    await screen.findByText('No executions yet.');
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Workflows' }).getAttribute('href')).toBe('/workflows');
  });

  it('pages through the history with the cursor', async () => {
    stubEventSource();
    const { seen } = server((req) => (req.path.includes('cursor=c1') ? { items: [failed], next_cursor: null } : { items: [succeeded], next_cursor: 'c1' }));
    renderApp('/executions');

    await screen.findByTestId(`execution-row-${id(1)}`);
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByTestId(`execution-row-${id(2)}`);
    expect(listRequests(seen).at(-1)).toBe('/api/executions?cursor=c1&limit=50');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('shows new executions at the top and status changes as they happen', async () => {
    const sse = stubEventSource();
    server(() => ({ items: [succeeded, failed], next_cursor: null }));
    renderApp('/executions');
    await screen.findByTestId(`execution-row-${id(1)}`);
    const stream = await sse.stream('/api/executions/stream');
    stream.open();
    expect(screen.getByTestId('live-indicator').textContent).toBe('Live');

    const started = execution({ id: id(3), status: 'Pending', created_at: '2026-11-29T11:00:00Z', started_at: null });
    stream.send('execution', started, id(3));
    await vi.waitFor(() => expect(rowTexts()).toEqual([`execution-row-${id(3)}`, `execution-row-${id(1)}`, `execution-row-${id(2)}`]));
    expect(screen.getByTestId(`execution-row-${id(3)}`).textContent).toContain('Pending');

    stream.send('execution', { ...started, status: 'Running', started_at: '2026-11-29T11:00:01Z' }, id(3));
    stream.send('execution', { ...started, status: 'Success', started_at: '2026-11-29T11:00:01Z', duration_ms: 1200 }, id(3));
    const row = screen.getByTestId(`execution-row-${id(3)}`);
    await vi.waitFor(() => expect(within(row).getByText('Success')).toBeTruthy());
    expect(row.textContent).toContain('1.2 s');
    expect(rowTexts()).toHaveLength(3);
  });

  it('adds from the stream only what the filters and the chosen organization let through', async () => {
    setSelectedOrganization(CONTOSO);
    const sse = stubEventSource();
    server(() => ({ items: [succeeded] }));
    renderApp('/executions?workflow=count_steps');
    await screen.findByTestId(`execution-row-${id(1)}`);
    const stream = await sse.stream('/api/executions/stream');
    stream.open();

    stream.send('execution', execution({ id: id(4), workflow_name: 'hello_world', created_at: '2026-11-29T11:00:00Z' }));
    stream.send('execution', execution({ id: id(5), organization_id: FABRIKAM, org_name: 'Fabrikam', created_at: '2026-11-29T11:00:00Z' }));
    stream.send('execution', execution({ id: id(6), created_at: '2026-11-29T11:00:00Z' }));
    await vi.waitFor(() => expect(rowTexts()).toEqual([`execution-row-${id(6)}`, `execution-row-${id(1)}`]));
  });

  it('is there for users who run workflows, who see their own executions', async () => {
    stubEventSource();
    server(() => ({ items: [succeeded] }), meResponse({ permissions: ['workflows.run'] }));
    renderApp('/executions');

    await screen.findByTestId(`execution-row-${id(1)}`);
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Executions' })).toBeTruthy();
  });
});
