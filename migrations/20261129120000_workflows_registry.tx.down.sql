DROP TABLE IF EXISTS workspace_scans;
DROP TABLE IF EXISTS workspace_files;
DROP TABLE IF EXISTS workflows;
