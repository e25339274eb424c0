DROP TABLE IF EXISTS workflow_keys;
DROP TABLE IF EXISTS execution_logs;
DROP TABLE IF EXISTS executions;
