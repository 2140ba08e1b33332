-- Token values, metadata and attributes move from BLOB to CHARACTER VARYING, for two reasons:
-- 1. speed: H2 keeps every BLOB in its separate LOB store, which was a large share of the time of each token
--    request (JFR under load, benchmarks/server-load/README-server.md);
-- 2. lookups: Spring Authorization Server finds an authorization by a token value (introspection, revocation,
--    refresh, code redemption); a BLOB cannot be indexed, so each lookup scanned the whole table.
-- Existing rows are converted (the values are UTF-8 text: JWTs, opaque tokens and JSON), nothing is dropped.
-- Spring Authorization Server reads the column types at start-up and binds strings for non-BLOB columns.

ALTER TABLE oauth2_authorization ADD COLUMN attributes_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET attributes_text = UTF8TOSTRING(attributes) WHERE attributes IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN attributes;
ALTER TABLE oauth2_authorization ALTER COLUMN attributes_text RENAME TO attributes;

ALTER TABLE oauth2_authorization ADD COLUMN authorization_code_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET authorization_code_value_text = UTF8TOSTRING(authorization_code_value) WHERE authorization_code_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN authorization_code_value;
ALTER TABLE oauth2_authorization ALTER COLUMN authorization_code_value_text RENAME TO authorization_code_value;

ALTER TABLE oauth2_authorization ADD COLUMN authorization_code_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET authorization_code_metadata_text = UTF8TOSTRING(authorization_code_metadata) WHERE authorization_code_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN authorization_code_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN authorization_code_metadata_text RENAME TO authorization_code_metadata;

ALTER TABLE oauth2_authorization ADD COLUMN access_token_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET access_token_value_text = UTF8TOSTRING(access_token_value) WHERE access_token_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN access_token_value;
ALTER TABLE oauth2_authorization ALTER COLUMN access_token_value_text RENAME TO access_token_value;

ALTER TABLE oauth2_authorization ADD COLUMN access_token_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET access_token_metadata_text = UTF8TOSTRING(access_token_metadata) WHERE access_token_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN access_token_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN access_token_metadata_text RENAME TO access_token_metadata;

ALTER TABLE oauth2_authorization ADD COLUMN oidc_id_token_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET oidc_id_token_value_text = UTF8TOSTRING(oidc_id_token_value) WHERE oidc_id_token_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN oidc_id_token_value;
ALTER TABLE oauth2_authorization ALTER COLUMN oidc_id_token_value_text RENAME TO oidc_id_token_value;

ALTER TABLE oauth2_authorization ADD COLUMN oidc_id_token_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET oidc_id_token_metadata_text = UTF8TOSTRING(oidc_id_token_metadata) WHERE oidc_id_token_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN oidc_id_token_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN oidc_id_token_metadata_text RENAME TO oidc_id_token_metadata;

ALTER TABLE oauth2_authorization ADD COLUMN refresh_token_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET refresh_token_value_text = UTF8TOSTRING(refresh_token_value) WHERE refresh_token_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN refresh_token_value;
ALTER TABLE oauth2_authorization ALTER COLUMN refresh_token_value_text RENAME TO refresh_token_value;

ALTER TABLE oauth2_authorization ADD COLUMN refresh_token_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET refresh_token_metadata_text = UTF8TOSTRING(refresh_token_metadata) WHERE refresh_token_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN refresh_token_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN refresh_token_metadata_text RENAME TO refresh_token_metadata;

ALTER TABLE oauth2_authorization ADD COLUMN user_code_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET user_code_value_text = UTF8TOSTRING(user_code_value) WHERE user_code_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN user_code_value;
ALTER TABLE oauth2_authorization ALTER COLUMN user_code_value_text RENAME TO user_code_value;

ALTER TABLE oauth2_authorization ADD COLUMN user_code_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET user_code_metadata_text = UTF8TOSTRING(user_code_metadata) WHERE user_code_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN user_code_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN user_code_metadata_text RENAME TO user_code_metadata;

ALTER TABLE oauth2_authorization ADD COLUMN device_code_value_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET device_code_value_text = UTF8TOSTRING(device_code_value) WHERE device_code_value IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN device_code_value;
ALTER TABLE oauth2_authorization ALTER COLUMN device_code_value_text RENAME TO device_code_value;

ALTER TABLE oauth2_authorization ADD COLUMN device_code_metadata_text CHARACTER VARYING(1000000) DEFAULT NULL;
UPDATE oauth2_authorization SET device_code_metadata_text = UTF8TOSTRING(device_code_metadata) WHERE device_code_metadata IS NOT NULL;
ALTER TABLE oauth2_authorization DROP COLUMN device_code_metadata;
ALTER TABLE oauth2_authorization ALTER COLUMN device_code_metadata_text RENAME TO device_code_metadata;

CREATE INDEX oauth2_authorization_state ON oauth2_authorization (state);

CREATE INDEX oauth2_authorization_authorization_code_value ON oauth2_authorization (authorization_code_value);

CREATE INDEX oauth2_authorization_access_token_value ON oauth2_authorization (access_token_value);

CREATE INDEX oauth2_authorization_oidc_id_token_value ON oauth2_authorization (oidc_id_token_value);

CREATE INDEX oauth2_authorization_refresh_token_value ON oauth2_authorization (refresh_token_value);

CREATE INDEX oauth2_authorization_user_code_value ON oauth2_authorization (user_code_value);

CREATE INDEX oauth2_authorization_device_code_value ON oauth2_authorization (device_code_value);
