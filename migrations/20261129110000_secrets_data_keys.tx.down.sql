DROP TABLE secrets;
DROP TABLE data_keys;
