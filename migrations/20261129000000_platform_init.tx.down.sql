DROP FUNCTION IF EXISTS bifrost_set_updated_at();

--bun:split

DROP EXTENSION IF EXISTS pg_trgm;
DROP EXTENSION IF EXISTS citext;
