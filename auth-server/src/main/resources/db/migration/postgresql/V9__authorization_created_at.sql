-- When each authorization row was created, so that rows with no expiry at all can be purged: pushed authorization
-- requests never used (RFC 9126) and authorization requests abandoned on the consent page. Spring Authorization
-- Server never deletes them and they carry no code or token expiry. Existing rows get the migration time, so they
-- are purged one pending lifetime plus the purge grace after the upgrade if still pending.
-- Both INSERTs (Spring Authorization Server's and JdbcAuthorizationStore's) name their columns, so the default fills it.
ALTER TABLE oauth2_authorization ADD COLUMN created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE INDEX oauth2_authorization_created_at ON oauth2_authorization (created_at);
