-- OpenID Connect Back-Channel Logout 1.0 (issue #17). Owned by the server's logout package.
-- Which relying parties got an ID token for which OP session (sid, ours: random, stable across factors and nodes).
-- ended_at marks a session that ended: an ID token issued later for it (a code redeemed after the logout) is sent a
-- logout token at once. Rows are purged a retention period after they were last seen.
CREATE TABLE gh_rp_session (
    sid varchar(64) NOT NULL,
    registered_client_id varchar(100) NOT NULL,
    username varchar(200) NOT NULL,
    issuer varchar(500) NOT NULL,
    last_seen timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    PRIMARY KEY (sid, registered_client_id)
);
CREATE INDEX gh_rp_session_user ON gh_rp_session (username);
CREATE INDEX gh_rp_session_seen ON gh_rp_session (last_seen);
-- The outbox of logout tokens to send (BCL §2.5): pending rows only, claimed by any node with FOR UPDATE SKIP LOCKED
-- and a lease (due_at moves forward); a finished row is deleted and its outcome audited.
CREATE TABLE gh_logout_delivery (
    id varchar(36) NOT NULL,
    registered_client_id varchar(100) NOT NULL,
    username varchar(200) NOT NULL,
    sid varchar(64) NOT NULL,
    issuer varchar(500) NOT NULL,
    reason varchar(40) NOT NULL,
    correlation_id varchar(64),
    created_at timestamp with time zone NOT NULL,
    due_at timestamp with time zone NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_outcome varchar(60),
    PRIMARY KEY (id)
);
CREATE INDEX gh_logout_delivery_due ON gh_logout_delivery (due_at);
