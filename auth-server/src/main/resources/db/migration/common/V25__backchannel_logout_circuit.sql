-- Back-channel logout delivery (OIDC Back-Channel Logout 1.0 §2.5): a circuit breaker per client, shared by every
-- node (issue #17, review 2 finding 5). Owned by the server's logout package. failures counts the client's consecutive
-- failed sends (timeouts, connection errors, 5xx, 408, 429); at the threshold the circuit opens until open_until, and
-- the client's queued deliveries wait that long instead of taking senders from other clients. A delivered token
-- deletes the row.
CREATE TABLE gh_logout_circuit (
    registered_client_id varchar(100) NOT NULL,
    failures integer NOT NULL,
    open_until timestamp with time zone,
    updated_at timestamp with time zone NOT NULL,
    PRIMARY KEY (registered_client_id)
);
