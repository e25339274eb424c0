-- Accounts. A user is a platform admin (is_superuser, no organization) or
-- belongs to exactly one organization.
CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           citext NOT NULL,
    display_name    text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    -- argon2id in PHC form; NULL until an invitation is accepted, or for
    -- accounts that only sign in with a provider.
    password_hash   text,
    is_active       boolean NOT NULL DEFAULT true,
    is_superuser    boolean NOT NULL DEFAULT false,
    is_verified     boolean NOT NULL DEFAULT false,
    organization_id uuid REFERENCES organizations (id),
    invited_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_membership CHECK (
        (is_superuser AND organization_id IS NULL) OR (NOT is_superuser AND organization_id IS NOT NULL))
);

CREATE INDEX users_organization_idx ON users (organization_id, lower(email), id);
CREATE INDEX users_email_order_idx ON users (lower(email), id);

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();

-- Social login identities linked to accounts.
CREATE TABLE oauth_accounts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider         text NOT NULL,
    provider_user_id text NOT NULL,
    email            citext,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_login_at    timestamptz,
    CONSTRAINT oauth_accounts_identity_key UNIQUE (provider, provider_user_id)
);

CREATE INDEX oauth_accounts_user_idx ON oauth_accounts (user_id);

-- Single-use tokens sent by email (password reset, email verification,
-- invitation). Only a SHA-256 of the token is stored.
CREATE TABLE auth_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset_password', 'verify_email', 'invitation')),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, purpose);
CREATE INDEX auth_tokens_expires_idx ON auth_tokens (expires_at);
