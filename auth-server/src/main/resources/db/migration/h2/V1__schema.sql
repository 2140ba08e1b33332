-- Spring Authorization Server's schema (from its jar), with instants stored with time zone.
CREATE TABLE oauth2_registered_client (
    id varchar(100) NOT NULL,
    client_id varchar(100) NOT NULL,
    client_id_issued_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    client_secret varchar(200) DEFAULT NULL,
    client_secret_expires_at timestamp with time zone DEFAULT NULL,
    client_name varchar(200) NOT NULL,
    client_authentication_methods varchar(1000) NOT NULL,
    authorization_grant_types varchar(1000) NOT NULL,
    redirect_uris varchar(1000) DEFAULT NULL,
    post_logout_redirect_uris varchar(1000) DEFAULT NULL,
    scopes varchar(1000) NOT NULL,
    client_settings varchar(2000) NOT NULL,
    token_settings varchar(2000) NOT NULL,
    PRIMARY KEY (id)
);

CREATE TABLE oauth2_authorization (
    id varchar(100) NOT NULL,
    registered_client_id varchar(100) NOT NULL,
    principal_name varchar(200) NOT NULL,
    authorization_grant_type varchar(100) NOT NULL,
    authorized_scopes varchar(1000) DEFAULT NULL,
    attributes blob DEFAULT NULL,
    state varchar(500) DEFAULT NULL,
    authorization_code_value blob DEFAULT NULL,
    authorization_code_issued_at timestamp with time zone DEFAULT NULL,
    authorization_code_expires_at timestamp with time zone DEFAULT NULL,
    authorization_code_metadata blob DEFAULT NULL,
    access_token_value blob DEFAULT NULL,
    access_token_issued_at timestamp with time zone DEFAULT NULL,
    access_token_expires_at timestamp with time zone DEFAULT NULL,
    access_token_metadata blob DEFAULT NULL,
    access_token_type varchar(100) DEFAULT NULL,
    access_token_scopes varchar(1000) DEFAULT NULL,
    oidc_id_token_value blob DEFAULT NULL,
    oidc_id_token_issued_at timestamp with time zone DEFAULT NULL,
    oidc_id_token_expires_at timestamp with time zone DEFAULT NULL,
    oidc_id_token_metadata blob DEFAULT NULL,
    refresh_token_value blob DEFAULT NULL,
    refresh_token_issued_at timestamp with time zone DEFAULT NULL,
    refresh_token_expires_at timestamp with time zone DEFAULT NULL,
    refresh_token_metadata blob DEFAULT NULL,
    user_code_value blob DEFAULT NULL,
    user_code_issued_at timestamp with time zone DEFAULT NULL,
    user_code_expires_at timestamp with time zone DEFAULT NULL,
    user_code_metadata blob DEFAULT NULL,
    device_code_value blob DEFAULT NULL,
    device_code_issued_at timestamp with time zone DEFAULT NULL,
    device_code_expires_at timestamp with time zone DEFAULT NULL,
    device_code_metadata blob DEFAULT NULL,
    PRIMARY KEY (id)
);

CREATE TABLE oauth2_authorization_consent (
    registered_client_id varchar(100) NOT NULL,
    principal_name varchar(200) NOT NULL,
    authorities varchar(1000) NOT NULL,
    PRIMARY KEY (registered_client_id, principal_name)
);

CREATE UNIQUE INDEX oauth2_registered_client_client_id ON oauth2_registered_client (client_id);
CREATE INDEX oauth2_authorization_refresh_expiry ON oauth2_authorization (refresh_token_expires_at);

-- Gatehouse tables. Timestamps are instants (with time zone) everywhere.
CREATE TABLE gh_user (
    username varchar(200) NOT NULL,
    password_hash varchar(500) NOT NULL,
    enabled boolean DEFAULT TRUE NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (username)
);
CREATE TABLE gh_user_role (
    username varchar(200) NOT NULL,
    role varchar(100) NOT NULL,
    PRIMARY KEY (username, role),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
-- The key ring: one version row (compare-and-set), one row per key. Private JWKs are sealed by the envelope.
CREATE TABLE gh_key_ring (
    id integer NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO gh_key_ring (id, version) VALUES (1, 0);
CREATE TABLE gh_signing_key (
    kid varchar(100) NOT NULL,
    position integer NOT NULL,
    algorithm varchar(20) NOT NULL,
    state varchar(20) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    activated_at timestamp with time zone DEFAULT NULL,
    retiring_at timestamp with time zone DEFAULT NULL,
    public_jwk varchar(4000) NOT NULL,
    sealed_private_jwk varchar(8000) NOT NULL,
    PRIMARY KEY (kid)
);
-- Server secrets sealed by the envelope (e.g. the client-secret HMAC key).
CREATE TABLE gh_server_secret (
    name varchar(100) NOT NULL,
    sealed_value varchar(2000) NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (name)
);
-- Refresh tokens already exchanged (SHA-256 of the value), for reuse detection: a second use revokes the family.
CREATE TABLE gh_consumed_refresh_token (
    token_hash varchar(64) NOT NULL,
    authorization_id varchar(100) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    PRIMARY KEY (token_hash)
);
CREATE INDEX gh_consumed_refresh_token_expiry ON gh_consumed_refresh_token (expires_at);
-- Authorizations revoked for refresh-token reuse; a rotation racing the revocation checks here after saving.
CREATE TABLE gh_revoked_authorization (
    authorization_id varchar(100) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    PRIMARY KEY (authorization_id)
);
-- Login attempt counters (auth-core AttemptLimiter), shared by all nodes.
CREATE TABLE gh_attempt_counter (
    counter_key varchar(1200) NOT NULL,
    failures integer NOT NULL,
    blocked_until timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    PRIMARY KEY (counter_key)
);
CREATE INDEX gh_attempt_counter_expiry ON gh_attempt_counter (expires_at);
