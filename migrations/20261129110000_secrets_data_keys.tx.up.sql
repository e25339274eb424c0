-- One data key per organization (and one for global rows), wrapped by the
-- master key. Secrets and OAuth tokens are encrypted with their
-- organization's data key; rotating the master key rewraps these rows only.
CREATE TABLE data_keys (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id),
    wrapped_key     bytea NOT NULL,
    master_key_id   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    rewrapped_at    timestamptz
);

CREATE UNIQUE INDEX data_keys_organization_key
    ON data_keys (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX data_keys_master_idx ON data_keys (master_key_id);

-- Named secrets, global (organization_id NULL) or per organization. The
-- value is AES-256-GCM under the organization's data key, bound to the
-- row's id and organization.
CREATE TABLE secrets (
    id              uuid PRIMARY KEY,
    organization_id uuid REFERENCES organizations (id),
    name            text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,128}$'),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
    encrypted_value bytea NOT NULL,
    data_key_id     uuid NOT NULL REFERENCES data_keys (id),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX secrets_name_key
    ON secrets (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name);
CREATE INDEX secrets_organization_idx ON secrets (organization_id, name);

CREATE TRIGGER secrets_updated_at BEFORE UPDATE ON secrets
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();
