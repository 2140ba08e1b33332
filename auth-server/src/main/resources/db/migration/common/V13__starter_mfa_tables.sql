-- One JDBC implementation of the MFA stores (issue #22): the server now uses the starter's
-- (dev.gatehouse.spring.jdbc.JdbcTotpFactorStore / JdbcRecoveryCodeStore), whose tables and column names
-- (gatehouse_*, user_id) starter users' databases already hold. Every row moves unchanged: the values are the same
-- format in both (auth-core seals the TOTP secret under "totp:" + user id and hashes recovery codes as
-- HMAC-SHA256(server key, user id, code); the user id here is the stored username, which V12 left as it was), so
-- neither a secret nor a code needs the master key to move. Column types follow the starter's schema.sql; the server
-- adds its foreign keys so a user's factor and codes still go with the user.
CREATE TABLE gatehouse_totp_factor (
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
CREATE TABLE gatehouse_recovery_code (
    user_id varchar(255) NOT NULL,
    code_hash varchar(128) NOT NULL,
    PRIMARY KEY (user_id, code_hash),
    FOREIGN KEY (user_id) REFERENCES gh_user (username) ON DELETE CASCADE
);
INSERT INTO gatehouse_totp_factor (user_id, sealed_secret, algorithm, digits, period_seconds, time_window, confirmed,
        last_step, version, created_at)
    SELECT username, sealed_secret, algorithm, digits, period_seconds, time_window, confirmed, last_step, version,
            created_at
    FROM gh_totp_factor;
INSERT INTO gatehouse_recovery_code (user_id, code_hash)
    SELECT username, code_hash FROM gh_recovery_code;
DROP TABLE gh_recovery_code;
DROP TABLE gh_totp_factor;
