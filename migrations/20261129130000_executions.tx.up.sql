-- Every run of a workflow or data provider: who ran it, for which
-- organization, with what inputs, how it ended.
CREATE TABLE executions (
    id               uuid PRIMARY KEY,
    workflow_name    text NOT NULL,
    kind             text NOT NULL DEFAULT 'workflow' CHECK (kind IN ('workflow', 'data_provider')),
    status           text NOT NULL CHECK (status IN ('Pending', 'Running', 'Success', 'Failed', 'CompletedWithErrors',
                                                     'Timeout', 'Cancelling', 'Cancelled')),
    organization_id  uuid REFERENCES organizations (id),
    org_name         text NOT NULL DEFAULT '',
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    user_email       text NOT NULL DEFAULT '',
    user_name        text NOT NULL DEFAULT '',
    -- what the run acts as, frozen at submission.
    user_is_admin    boolean NOT NULL DEFAULT false,
    user_org_id      uuid,
    api_key_id       uuid,
    form_id          uuid,
    parent_id        uuid REFERENCES executions (id) ON DELETE SET NULL,
    trigger          text NOT NULL DEFAULT 'api' CHECK (trigger IN ('api', 'endpoint', 'nested', 'schedule', 'form')),
    -- transient executions (a form's launch workflow, say) stay out of the history and are kept an hour.
    transient        boolean NOT NULL DEFAULT false,
    input            jsonb NOT NULL DEFAULT '{}',
    result           jsonb,
    result_type      text,
    error            jsonb,
    variables        jsonb,
    timeout_seconds  integer NOT NULL DEFAULT 1800,
    worker           text NOT NULL DEFAULT '',
    attempts         integer NOT NULL DEFAULT 0,
    log_count        integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    completed_at     timestamptz,
    duration_ms      double precision,
    heartbeat_at     timestamptz,
    republished_at   timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- History lists, newest first, by organization and by user.
CREATE INDEX executions_org_created_idx ON executions (organization_id, created_at DESC, id DESC);
CREATE INDEX executions_user_created_idx ON executions (user_id, created_at DESC, id DESC);
CREATE INDEX executions_created_idx ON executions (created_at DESC, id DESC);
-- The reconciler's work: what is not finished.
CREATE INDEX executions_open_idx ON executions (status, created_at) WHERE status IN ('Pending', 'Running', 'Cancelling');
-- Retention deletes by age.
CREATE INDEX executions_completed_idx ON executions (completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX executions_parent_idx ON executions (parent_id) WHERE parent_id IS NOT NULL;

CREATE TRIGGER executions_updated_at BEFORE UPDATE ON executions
    FOR EACH ROW EXECUTE FUNCTION bifrost_set_updated_at();

-- Log lines, numbered per execution.
CREATE TABLE execution_logs (
    execution_id uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq          bigint NOT NULL,
    level        text NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error', 'traceback')),
    message      text NOT NULL,
    data         jsonb,
    logger       text NOT NULL DEFAULT '',
    logged_at    timestamptz NOT NULL,
    PRIMARY KEY (execution_id, seq)
);

-- API keys for HTTP-triggered workflows: only a hash is stored.
CREATE TABLE workflow_keys (
    id              uuid PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix          text NOT NULL,
    key_hash        bytea NOT NULL UNIQUE,
    -- NULL: every endpoint-enabled workflow (a global key).
    workflow_name   text,
    organization_id uuid REFERENCES organizations (id),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX workflow_keys_workflow_idx ON workflow_keys (workflow_name);
