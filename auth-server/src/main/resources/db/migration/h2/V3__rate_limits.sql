-- Rate limits (issue #7): with the embedded H2 database (one node) the token buckets live in memory
-- (dev.gatehouse.server.ratelimit.LocalBucketStore); Bucket4j has no H2 backend. This file keeps the migration
-- versions of both vendors aligned; PostgreSQL's V3 creates gh_rate_limit_bucket.
SELECT 1;
