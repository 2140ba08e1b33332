-- Rate limits (issue #7): Bucket4j token buckets shared by every node (PostgreSQLSelectForUpdateBasedProxyManager).
-- id is a 64-bit hash of what is limited (kind, endpoint group, limit, client id or address): no address in clear.
-- state is Bucket4j's serialised bucket; expires_at (epoch milliseconds) is when the bucket would be full again plus
-- a minute, after which the scheduled cleaner may delete the row. No index on expires_at: it changes on every
-- request, an index would rule out HOT updates on the hot path, and the cleaner's scan once a minute is cheap.
CREATE TABLE gh_rate_limit_bucket (
    id bigint NOT NULL,
    state bytea,
    expires_at bigint,
    PRIMARY KEY (id)
) WITH (fillfactor = 70);
