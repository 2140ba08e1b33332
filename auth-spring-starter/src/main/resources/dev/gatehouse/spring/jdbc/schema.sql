-- Gatehouse MFA tables (H2 and PostgreSQL). Idempotent: safe to run at every start.
CREATE TABLE IF NOT EXISTS gatehouse_totp_factor (
    user_id        VARCHAR(255) PRIMARY KEY,
    sealed_secret  VARCHAR(1024) NOT NULL,
    algorithm      VARCHAR(16)   NOT NULL,
    digits         INTEGER       NOT NULL,
    period_seconds INTEGER       NOT NULL,
    time_window    INTEGER       NOT NULL,
    confirmed      BOOLEAN       NOT NULL,
    last_step      BIGINT        NOT NULL,
    version        BIGINT        NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE IF NOT EXISTS gatehouse_recovery_code (
    user_id   VARCHAR(255) NOT NULL,
    code_hash VARCHAR(128) NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
