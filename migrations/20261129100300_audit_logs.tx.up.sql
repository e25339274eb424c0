-- What users did, written by every module. Rows are never updated.
CREATE TABLE audit_logs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id),
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_email     citext,
    action          text NOT NULL,
    resource_type   text,
    resource_id     text,
    details         jsonb NOT NULL DEFAULT '{}',
    ip_address      inet,
    user_agent      text,
    request_id      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC, id DESC);
CREATE INDEX audit_logs_organization_idx ON audit_logs (organization_id, created_at DESC, id DESC);
CREATE INDEX audit_logs_user_idx ON audit_logs (user_id, created_at DESC, id DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, created_at DESC);
