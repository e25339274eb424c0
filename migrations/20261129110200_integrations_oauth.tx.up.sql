-- OAuth connections used by workflows (not sign-in): how to reach the
-- provider...
CREATE TABLE oauth_providers (
    id                      uuid PRIMARY KEY,
    organization_id         uuid REFERENCES organizations (id),
    provider_name           text NOT NULL CHECK (provider_name ~ '^[a-zA-Z0-9_-]{1,100}$'),
    description             text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    flow                    text NOT NULL CHECK (flow IN ('authorization_code', 'client_credentials', 'refresh_token')),
    client_id               text NOT NULL,
    encrypted_client_secret bytea,
    authorization_url       text NOT NULL DEFAULT '',
    token_url               text NOT NULL,
    scopes                  text[] NOT NULL DEFAULT '{}',
    -- extra authorization/token parameters (audience, resource, prompt) and flags such as PKCE.
    metadata                jsonb NOT NULL DEFAULT '{}',
    data_key_id             uuid REFERENCES data_keys (id),
    status                  text NOT NULL DEFAULT 'not_connected'
        CHECK (status IN ('not_connected', 'waiting_callback', 'testing', 'completed', 'failed')),
    status_message          text NOT NULL DEFAULT '',
    created_by              uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by              uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX oauth_providers_name_key
    ON oauth_providers (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), provider_name);
CREATE INDEX oauth_providers_organization_idx ON oauth_providers (organization_id, provider_name);

CREATE TRIGGER oauth_providers_updated_at BEFORE UPDATE ON oauth_providers
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();

-- ...and the tokens it issued, encrypted like secrets, one set per connection.
CREATE TABLE oauth_tokens (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id         uuid REFERENCES organizations (id),
    provider_id             uuid NOT NULL REFERENCES oauth_providers (id) ON DELETE CASCADE,
    user_id                 uuid REFERENCES users (id) ON DELETE SET NULL,
    access_token_encrypted  bytea NOT NULL,
    refresh_token_encrypted bytea,
    data_key_id             uuid NOT NULL REFERENCES data_keys (id),
    token_type              text NOT NULL DEFAULT '',
    expires_at              timestamptz,
    scopes                  text[] NOT NULL DEFAULT '{}',
    last_refreshed_at       timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oauth_tokens_provider_key UNIQUE (provider_id)
);

CREATE INDEX oauth_tokens_expires_idx ON oauth_tokens (expires_at);

CREATE TRIGGER oauth_tokens_updated_at BEFORE UPDATE ON oauth_tokens
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();
