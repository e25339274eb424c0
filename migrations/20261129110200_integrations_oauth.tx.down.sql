DROP TABLE oauth_tokens;
DROP TABLE oauth_providers;
