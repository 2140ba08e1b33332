-- A client's settings hold its JWK Set by value (up to 16 KiB), its back-channel logout URI (2000), its resources
-- (20 x 2000) and, for client_secret_jwt (RFC 7523 §2.2), the sealed copy of its secret (about 300): more than the
-- varchar(2000) of V1, which made such saves fail with a server error. Widened to what ClientSettingsLimit enforces
-- before each save (a clear 400 beyond it); token_settings with it. Only the declared length changes, no row is
-- rewritten, NOT NULL stays.
ALTER TABLE oauth2_registered_client ALTER COLUMN client_settings TYPE varchar(65535);
ALTER TABLE oauth2_registered_client ALTER COLUMN token_settings TYPE varchar(65535);
