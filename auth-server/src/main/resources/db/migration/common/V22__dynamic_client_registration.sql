-- Dynamic client registration (RFC 7591, RFC 7592; issue #17). Owned by the server's dynamicclients package.
-- Initial access tokens (RFC 7591 §3) minted through the admin API: only the SHA-256 of the token (base64url, 43
-- characters) is kept, never the token; a limited number of uses, an expiry, revocable.
CREATE TABLE gh_initial_access_token (
    id varchar(36) NOT NULL,
    token_hash char(43) NOT NULL,
    description varchar(200) NOT NULL,
    max_uses integer NOT NULL,
    uses_left integer NOT NULL,
    created_by varchar(255),
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX gh_initial_access_token_hash ON gh_initial_access_token (token_hash);
-- Registration access tokens (RFC 7592 §1), one per dynamically registered client: only the SHA-256 of the token.
-- A client without a row here was not registered dynamically and cannot be managed through RFC 7592. Removed with
-- its client.
CREATE TABLE gh_registration_access_token (
    registered_client_id varchar(100) NOT NULL,
    token_hash char(43) NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    PRIMARY KEY (registered_client_id),
    FOREIGN KEY (registered_client_id) REFERENCES oauth2_registered_client (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX gh_registration_access_token_hash ON gh_registration_access_token (token_hash);
