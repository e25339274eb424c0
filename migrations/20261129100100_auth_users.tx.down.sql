DROP TABLE auth_tokens;
DROP TABLE oauth_accounts;
DROP TABLE users;
