-- Spring Authorization Server finds an authorization by a token value (introspection, revocation, refresh,
-- code redemption, device polling); without an index each lookup scanned the whole table. Hash indexes: the
-- lookups are equality only, the values are long (a JWT is ~1 KB, past a B-tree's comfortable key size), and
-- PostgreSQL's hash indexes leave NULLs out, so a client-credentials row pays for one index, not seven.

CREATE INDEX oauth2_authorization_state ON oauth2_authorization USING hash (state);

CREATE INDEX oauth2_authorization_authorization_code_value ON oauth2_authorization USING hash (authorization_code_value);

CREATE INDEX oauth2_authorization_access_token_value ON oauth2_authorization USING hash (access_token_value);

CREATE INDEX oauth2_authorization_oidc_id_token_value ON oauth2_authorization USING hash (oidc_id_token_value);

CREATE INDEX oauth2_authorization_refresh_token_value ON oauth2_authorization USING hash (refresh_token_value);

CREATE INDEX oauth2_authorization_user_code_value ON oauth2_authorization USING hash (user_code_value);

CREATE INDEX oauth2_authorization_device_code_value ON oauth2_authorization USING hash (device_code_value);
