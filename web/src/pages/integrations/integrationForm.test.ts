import { describe, expect, it } from 'vitest';
import type { Integration } from '../../api/types';
import { checkDraft, createBody, draftFrom, fieldsFor, parseParams, parseScopes, updateBody } from './integrationForm';

const stored: Integration = {
  id: 'i1', organization_id: null, name: 'graph', description: '', flow: 'authorization_code', client_id: 'app', has_client_secret: true,
  authorization_url: 'https://login.example.com/authorize', token_url: 'https://login.example.com/token', scopes: ['offline_access', 'User.Read'],
  params: { prompt: 'consent' }, use_pkce: true, test_url: '', redirect_uri: 'https://bifrost.example.com/api/integrations/callback',
  status: 'completed', status_message: '', expires_at: null, last_refreshed_at: null, inherited: false, created_at: '', updated_at: '',
};

describe('integration form', () => {
  it('shows the consent-page fields only for the authorization code flow, the refresh token only for its flow', () => {
    expect(fieldsFor('authorization_code')).toEqual({ authorization: true, refreshToken: false });
    expect(fieldsFor('client_credentials')).toEqual({ authorization: false, refreshToken: false });
    expect(fieldsFor('refresh_token')).toEqual({ authorization: false, refreshToken: true });
  });

  it('reads scopes separated by spaces, commas or lines, once each', () => {
    expect(parseScopes(' offline_access, User.Read\nMail.Send  User.Read ,')).toEqual(['offline_access', 'User.Read', 'Mail.Send']);
    expect(parseScopes('   ')).toEqual([]);
  });

  it('reads extra parameters as name=value lines', () => {
    expect(parseParams('audience = https://api.example.com\n\nprompt=consent')).toEqual({ ok: true, value: { audience: 'https://api.example.com', prompt: 'consent' } });
    expect(parseParams('resource=a=b')).toEqual({ ok: true, value: { resource: 'a=b' } });
    expect(parseParams('no equals sign')).toMatchObject({ ok: false, error: expect.stringContaining('Line 1') });
  });

  it('asks for what each flow needs before sending', () => {
    const blank = draftFrom();
    expect(Object.keys(checkDraft(blank, false)).sort()).toEqual(['authorization_url', 'client_id', 'name', 'token_url']);
    expect(Object.keys(checkDraft({ ...blank, flow: 'client_credentials' }, false)).sort()).toEqual(['client_id', 'name', 'token_url']);
    const rt = { ...blank, flow: 'refresh_token' as const, name: 'halo', client_id: 'x', token_url: 'https://h.example.com/token' };
    expect(checkDraft(rt, false)).toEqual({ refresh_token: expect.any(String) });
    // Editing keeps the stored refresh token when the field is left blank.
    expect(checkDraft(rt, true)).toEqual({});
    expect(checkDraft({ ...rt, refresh_token: 'r', token_url: 'not a url', name: 'has space' }, false)).toEqual({ token_url: expect.any(String), name: expect.any(String) });
  });

  it('sends only the fields of the chosen flow when creating', () => {
    const d = { ...draftFrom(), name: ' graph ', client_id: 'app', client_secret: 's', authorization_url: 'https://l.example.com/a', token_url: 'https://l.example.com/t', scopes: 'a b', refresh_token: 'leftover' };
    expect(createBody(d)).toEqual({
      name: 'graph', description: '', flow: 'authorization_code', client_id: 'app', client_secret: 's', authorization_url: 'https://l.example.com/a',
      token_url: 'https://l.example.com/t', scopes: ['a', 'b'], params: {}, use_pkce: true, test_url: '',
    });
    const cc = createBody({ ...d, flow: 'client_credentials', client_secret: '' });
    expect(cc).not.toHaveProperty('authorization_url');
    expect(cc).not.toHaveProperty('use_pkce');
    expect(cc).not.toHaveProperty('refresh_token');
    expect(cc).not.toHaveProperty('client_secret');
    expect(createBody({ ...d, flow: 'refresh_token' }).refresh_token).toBe('leftover');
  });

  it('keeps the stored client secret unless a new one is typed or removal is asked', () => {
    const d = draftFrom(stored);
    expect(d.scopes).toBe('offline_access User.Read');
    expect(d.params).toBe('prompt=consent');
    expect(updateBody(d)).not.toHaveProperty('client_secret');
    expect(updateBody({ ...d, client_secret: 'new' }).client_secret).toBe('new');
    expect(updateBody({ ...d, remove_client_secret: true }).client_secret).toBe('');
    expect(updateBody(d)).toMatchObject({ scopes: ['offline_access', 'User.Read'], params: { prompt: 'consent' }, authorization_url: stored.authorization_url });
    expect(updateBody({ ...d, flow: 'client_credentials' })).toMatchObject({ authorization_url: '' });
  });
});
