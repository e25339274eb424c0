import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { WorkflowDefinition } from '../../api/types';
import { jsonResponse, meResponse, mockServer, problem, renderApp, setCookie } from '../../test/render';
import { detail } from '../../test/executions';
import { definition, parameter } from '../../test/workflows';

// Every kind of input, as @param and type hints declare them.
const onboard = definition({
  name: 'onboard_user',
  description: 'Create a user in Microsoft 365.',
  category: 'Users',
  tags: ['m365', 'onboarding'],
  parameters: [
    parameter({
      name: 'username', label: 'Username', required: true, help_text: 'The sign-in name.',
      validation: { pattern: '[a-z][a-z0-9.]*', min: 3, max: 20, message: 'Lower-case letters, digits and dots, 3 to 20 characters.' },
    }),
    parameter({ name: 'email', type: 'email', label: 'Email', required: true }),
    parameter({ name: 'seats', type: 'int', label: 'Seats', default_value: 5, validation: { min: 1, max: 50 } }),
    parameter({ name: 'discount', type: 'float', label: 'Discount', validation: { min: 0, max: 1 } }),
    parameter({ name: 'groups', type: 'list', label: 'Groups', data_provider: 'list_groups' }),
    parameter({ name: 'extra', type: 'json', label: 'Extra', default_value: { a: 1 } }),
    parameter({ name: 'notify', type: 'bool', label: 'Notify', default_value: true }),
    parameter({ name: 'color', type: 'string', label: 'Color', default_value: 'red', options: ['red', 'green'] }),
  ],
  accepts_extra: true,
  is_async: false,
  execution_mode: 'sync',
  timeout_seconds: 600,
  retry_policy: { max_attempts: 5, backoff_seconds: 1, max_backoff_seconds: 60 },
  schedule: '0 6 * * 1',
  endpoint_enabled: true,
  allowed_methods: ['POST', 'GET'],
  file: 'users/onboard.py',
  line: 3,
  module: 'users.onboard',
  function: 'onboard_user',
  warnings: ['@workflow onboard_user: unknown arguments ignored: is_tool'],
});

const RUN_ID = '00000000-0000-4000-8000-00000000e001';

function server(d: WorkflowDefinition | null, path = d?.name ?? 'missing', extra: Parameters<typeof mockServer>[0] = {}) {
  setCookie('bifrost_csrf', 'tok');
  return mockServer({
    'GET /api/auth/me': () => jsonResponse(meResponse({ permissions: ['workflows.run'] })),
    [`GET /api/workflows/${path}`]: () => (d ? jsonResponse(d) : problem(404, 'workflows.not_found', 'There is no workflow with this name.')),
    [`GET /api/executions/${RUN_ID}`]: () => jsonResponse(detail({ id: RUN_ID, status: 'Pending' })),
    ...extra,
  });
}

const preview = () => JSON.parse(screen.getByTestId('inputs-preview').textContent ?? '') as Record<string, unknown>;
const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

async function open(d: WorkflowDefinition, extra: Parameters<typeof mockServer>[0] = {}) {
  const { seen } = server(d, d.name, extra);
  const { router } = renderApp(`/workflows/${d.name}`);
  await screen.findByRole('heading', { level: 1, name: d.name });
  return { seen, router };
}

describe('WorkflowDetailPage', () => {
  it('shows the workflow’s settings and where it is defined', async () => {
    await open(onboard);

    expect(screen.getByText('Create a user in Microsoft 365.')).toBeTruthy();
    const facts = screen.getByTestId('workflow-facts');
    for (const text of ['Users', 'm365', 'onboarding', 'Sync', '10 min', 'Up to 5 attempts', '0 6 * * 1', 'Enabled (POST, GET), API key required', 'users/onboard.py:3', 'def users.onboard.onboard_user']) {
      expect(facts.textContent).toContain(text);
    }
    expect(screen.getByTestId('workflow-warnings').textContent).toContain('unknown arguments ignored: is_tool');
    expect(screen.getByRole('link', { name: '← All workflows' }).getAttribute('href')).toBe('/workflows');
    expect(screen.getByRole('link', { name: 'Past executions' }).getAttribute('href')).toBe('/executions?workflow=onboard_user');
  });

  it('generates an input for each type, with labels, help, required markers and defaults', async () => {
    await open(onboard);

    expect(input('Username').type).toBe('text');
    expect(input('Username').required).toBe(true);
    expect(input('Username').parentElement?.querySelector('.label-required')?.textContent).toBe('Username');
    expect(screen.getByText(/The sign-in name\./)).toBeTruthy();
    expect(input('Email').type).toBe('email');
    expect(input('Email').required).toBe(true);
    expect([input('Seats').type, input('Seats').step, input('Seats').min, input('Seats').max, input('Seats').value]).toEqual(['number', '1', '1', '50', '5']);
    expect(input('Seats').required).toBe(false);
    expect([input('Discount').type, input('Discount').step]).toEqual(['number', 'any']);
    expect(input('Groups').type).toBe('text');
    expect(screen.getByText(/Separate items with commas/)).toBeTruthy();
    expect(screen.getByLabelText('Extra').tagName).toBe('TEXTAREA');
    expect((screen.getByLabelText('Extra') as HTMLTextAreaElement).value).toBe('{\n  "a": 1\n}');
    expect([input('Notify').type, input('Notify').checked]).toEqual(['checkbox', true]);
    const color = screen.getByLabelText('Color') as HTMLSelectElement;
    expect(color.tagName).toBe('SELECT');
    expect([...color.options].map((o) => o.textContent)).toEqual(['(none)', 'red', 'green']);
    expect(color.selectedOptions[0].textContent).toBe('red');

    // What the form would submit: the defaults, and nothing for blank optional inputs.
    expect(preview()).toEqual({ seats: 5, extra: { a: 1 }, notify: true, color: 'red' });
    expect(screen.getByTestId('inputs-status').textContent).toBe('Not ready. Username: Required. Email: Required.');
  });

  it('updates the inputs preview as the user types, with each value in its type', async () => {
    await open(onboard);

    fireEvent.change(input('Username'), { target: { value: 'ada.l' } });
    fireEvent.change(input('Email'), { target: { value: 'ada@contoso.com' } });
    fireEvent.change(input('Seats'), { target: { value: '12' } });
    fireEvent.change(input('Discount'), { target: { value: '0.25' } });
    fireEvent.change(input('Groups'), { target: { value: 'Sales, Staff' } });
    fireEvent.change(screen.getByLabelText('Extra'), { target: { value: '{"licence": "E3"}' } });
    fireEvent.click(input('Notify'));
    fireEvent.change(screen.getByLabelText('Color'), { target: { value: '1' } });

    expect(preview()).toEqual({
      username: 'ada.l', email: 'ada@contoso.com', seats: 12, discount: 0.25, groups: ['Sales', 'Staff'], extra: { licence: 'E3' }, notify: false, color: 'green',
    });
    expect(screen.getByTestId('inputs-status').textContent).toBe('Every input is valid.');
  });

  it('shows validation messages once an input is left, and for every input after “Run”, which then sends nothing', async () => {
    const { seen } = await open(onboard);

    fireEvent.change(input('Username'), { target: { value: 'Ada' } });
    expect(screen.queryByText('Lower-case letters, digits and dots, 3 to 20 characters.')).toBeNull();
    fireEvent.blur(input('Username'));
    expect(screen.getByText('Lower-case letters, digits and dots, 3 to 20 characters.')).toBeTruthy();
    expect(input('Username').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByText('Required.')).toBeNull();

    fireEvent.change(input('Seats'), { target: { value: '51' } });
    fireEvent.change(screen.getByLabelText('Extra'), { target: { value: '{"a": 1,}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    expect(screen.getByText('Required.')).toBeTruthy();
    expect(screen.getByText('Must be at most 50.')).toBeTruthy();
    expect(screen.getByText(/^Not valid JSON: /)).toBeTruthy();
    // Invalid inputs stay out of the preview; the others are still shown.
    expect(preview()).toEqual({ notify: true, color: 'red' });

    fireEvent.change(input('Email'), { target: { value: 'ada@contoso' } });
    expect(screen.getByText('Enter an e-mail address, such as ada@example.com.')).toBeTruthy();
    fireEvent.change(input('Username'), { target: { value: 'ada' } });
    expect(screen.queryByText('Lower-case letters, digits and dots, 3 to 20 characters.')).toBeNull();
    expect(seen.some((r) => r.method === 'POST')).toBe(false);
  });

  it('says that extra inputs are passed through and where a field’s choices will come from', async () => {
    await open(onboard);

    expect(screen.getByTestId('accepts-extra').textContent).toContain('**kwargs');
    expect(screen.getByTestId('data-provider-note-groups').textContent).toContain('data provider list_groups');
    expect(input('Groups').getAttribute('aria-describedby')).toBeTruthy();
  });

  it('says when a workflow takes no inputs, and runs it with {}', async () => {
    const { seen, router } = await open(definition({ name: 'nightly_report', parameters: [], schedule: '0 3 * * 1-5' }), {
      'POST /api/workflows/nightly_report/execute': () => jsonResponse({ execution_id: RUN_ID, status: 'Pending' }, 202),
    });

    expect(screen.getByText('This workflow takes no inputs.')).toBeTruthy();
    expect(preview()).toEqual({});
    expect(screen.queryByTestId('accepts-extra')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe(`/executions/${RUN_ID}`));
    expect(seen.find((r) => r.method === 'POST')?.body).toEqual({ input_data: {} });
  });

  it('runs the workflow with the form’s inputs and opens its execution', async () => {
    const hello = definition({});
    const { seen, router } = await open(hello, {
      'POST /api/workflows/hello_world/execute': () => jsonResponse({ execution_id: RUN_ID, status: 'Pending' }, 202),
    });

    fireEvent.change(input('Name'), { target: { value: 'Ada' } });
    fireEvent.click(input('Excited'));
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    await vi.waitFor(() => expect(router.state.location.pathname).toBe(`/executions/${RUN_ID}`));
    const post = seen.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ input_data: { name: 'Ada', excited: true } });
    expect(post?.headers['X-CSRF-Token']).toBe('tok');
  });

  it('shows the server’s verdict on each input next to it, until the input is changed', async () => {
    const hello = definition({});
    const { router } = await open(hello, {
      'POST /api/workflows/hello_world/execute': () =>
        problem(422, 'executions.invalid_input', "The inputs do not fit the workflow's parameters.", [
          { field: 'input_data.name', code: 'invalid', message: 'must not name a robot' },
          { field: 'input_data.mood', code: 'invalid', message: 'is not a parameter' },
        ]),
    });

    fireEvent.change(input('Name'), { target: { value: 'R2-D2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));

    expect(await screen.findByText('Must not name a robot')).toBeTruthy();
    expect(input('Name').getAttribute('aria-invalid')).toBe('true');
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain("The inputs do not fit the workflow's parameters.");
    // A field the form does not show is listed in the alert instead.
    expect(alert.textContent).toContain('input_data.mood');
    expect(alert.textContent).not.toContain('input_data.name');
    expect(router.state.location.pathname).toBe('/workflows/hello_world');

    fireEvent.change(input('Name'), { target: { value: 'Ada' } });
    expect(screen.queryByText('Must not name a robot')).toBeNull();
  });

  it('says so when there is no such workflow', async () => {
    server(null, 'gone');
    renderApp('/workflows/gone');

    await screen.findByRole('heading', { name: 'Workflow not found' });
    expect(within(screen.getByRole('main')).getByText('gone')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
