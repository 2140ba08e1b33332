-- Audit trail (issue #7). One row per event, in one hash chain ordered by id: each row's hash is
-- HMAC-SHA256 (key in gh_server_secret) over its canonical encoding, which includes the previous row's hash.
-- Details are JSON text (never jsonb: the hash covers the exact stored text). No secret is ever stored here.
CREATE TABLE gh_audit_event (
    id bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    type varchar(100) NOT NULL,
    outcome varchar(20) NOT NULL,
    actor varchar(200),
    subject varchar(200),
    details varchar(8000) NOT NULL,
    correlation_id varchar(64),
    prev_hash varchar(64) NOT NULL,
    hash varchar(64) NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX gh_audit_event_occurred_at ON gh_audit_event (occurred_at);
CREATE INDEX gh_audit_event_correlation_id ON gh_audit_event (correlation_id);

-- The chain head: one row, locked (SELECT ... FOR UPDATE) by every append, so appends from all nodes sharing
-- the database form one linear chain. The anchor is the last row removed by retention: the first kept row must
-- follow it (id anchor_id + 1, prev_hash anchor_hash).
CREATE TABLE gh_audit_chain (
    id integer NOT NULL,
    last_id bigint NOT NULL,
    last_hash varchar(64) NOT NULL,
    anchor_id bigint NOT NULL,
    anchor_hash varchar(64) NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO gh_audit_chain (id, last_id, last_hash, anchor_id, anchor_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        0, '0000000000000000000000000000000000000000000000000000000000000000');
