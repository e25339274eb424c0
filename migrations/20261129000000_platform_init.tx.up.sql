-- Extensions every module relies on: case-insensitive text for emails and
-- slugs, and trigram indexes for search.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

--bun:split

-- set_updated_at keeps updated_at honest whatever code writes the row.
CREATE OR REPLACE FUNCTION bifrost_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;
