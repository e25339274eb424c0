-- The workflows registry: what the workers found in the workspace, so the
-- api lists workflows without running Python.
CREATE TABLE workflows (
    kind        text NOT NULL CHECK (kind IN ('workflow', 'data_provider')),
    name        text NOT NULL CHECK (name ~ '^[a-z0-9_]+$'),
    description text NOT NULL DEFAULT '',
    category    text NOT NULL DEFAULT 'General',
    tags        text[] NOT NULL DEFAULT '{}',
    file        text NOT NULL,
    line        integer NOT NULL DEFAULT 0,
    -- everything discovery reported: parameters, JSON Schema, execution settings.
    definition  jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

CREATE INDEX workflows_category_idx ON workflows (kind, category, name);

-- Each workspace file and how its import went.
CREATE TABLE workspace_files (
    path           text PRIMARY KEY,
    status         text NOT NULL CHECK (status IN ('ok', 'error')),
    error          jsonb,
    warnings       text[] NOT NULL DEFAULT '{}',
    workflows      integer NOT NULL DEFAULT 0,
    data_providers integer NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The last scan: one row.
CREATE TABLE workspace_scans (
    id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    digest      text NOT NULL,
    errors      jsonb NOT NULL DEFAULT '[]',
    duration_ms double precision NOT NULL DEFAULT 0,
    scanned_by  text NOT NULL DEFAULT '',
    scanned_at  timestamptz NOT NULL DEFAULT now()
);
