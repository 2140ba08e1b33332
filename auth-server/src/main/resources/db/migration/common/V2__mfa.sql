-- Multi-factor sign-in (issue #7): TOTP factors (secrets sealed by the envelope under "totp:" + username)
-- and keyed hashes of recovery codes. Rows go with their user.
CREATE TABLE gh_totp_factor (
    username varchar(200) NOT NULL,
    sealed_secret varchar(1024) NOT NULL,
    algorithm varchar(16) NOT NULL,
    digits integer NOT NULL,
    period_seconds integer NOT NULL,
    time_window integer NOT NULL,
    confirmed boolean NOT NULL,
    last_step bigint NOT NULL,
    version bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    PRIMARY KEY (username),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
CREATE TABLE gh_recovery_code (
    username varchar(200) NOT NULL,
    code_hash varchar(128) NOT NULL,
    PRIMARY KEY (username, code_hash),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
