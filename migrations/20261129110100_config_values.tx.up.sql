-- Configuration values, global (organization_id NULL) or per organization.
-- Reading a key for an organization falls back to the global value.
CREATE TABLE config (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id),
    key             text NOT NULL CHECK (key ~ '^[a-zA-Z0-9_]{1,255}$'),
    value           jsonb NOT NULL,
    type            text NOT NULL CHECK (type IN ('string', 'int', 'bool', 'json', 'secret_ref')),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    updated_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX config_key
    ON config (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), key);
CREATE INDEX config_organization_idx ON config (organization_id, key);
-- Finds the entries that refer to a secret (a secret in use cannot be deleted).
CREATE INDEX config_secret_ref_idx ON config ((value #>> '{}')) WHERE type = 'secret_ref';

CREATE TRIGGER config_updated_at BEFORE UPDATE ON config
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();
