-- Organizations: the MSP's clients. Never deleted, only deactivated, so
-- history (executions, audit) keeps its owner.
CREATE TABLE organizations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug         citext NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    -- Users with a verified email in this domain may join (auth.registration = email_domain).
    email_domain citext,
    is_active    boolean NOT NULL DEFAULT true,
    settings     jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_email_domain_key UNIQUE (email_domain)
);

CREATE INDEX organizations_name_idx ON organizations (lower(name), id);

CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();
