-- Account self-service (issue #15): a new TOTP key a user is replacing their authenticator app with, kept apart from
-- the factor in use (gatehouse_totp_factor) until a code from the new app confirms it; then it takes the old one's
-- place in one transaction and this row goes. The secret is sealed by the envelope, as in gatehouse_totp_factor, under
-- the same context (the user), so it moves over unchanged. Owned by the server's mfa package.
CREATE TABLE gh_totp_replacement (
    user_id varchar(255) NOT NULL,
    sealed_secret varchar(1024) NOT NULL,
    algorithm varchar(16) NOT NULL,
    digits integer NOT NULL,
    period_seconds integer NOT NULL,
    time_window integer NOT NULL,
    confirmed boolean NOT NULL,
    last_step bigint NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    PRIMARY KEY (user_id),
    FOREIGN KEY (user_id) REFERENCES gh_user (username) ON DELETE CASCADE
);
