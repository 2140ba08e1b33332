-- DPoP proof jti values already accepted (RFC 9449 §4.3 check 12, §11.1), shared by every node: a proof accepted by
-- one node is refused by all the others (UsedProofIds). The key is the SHA-256 of the jti (base64url, 43 characters),
-- never the jti itself; a row lives as long as its proof could still be accepted, then the scheduled purge deletes it.
CREATE TABLE gh_used_jti (
    jti_hash char(43) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    PRIMARY KEY (jti_hash)
);
CREATE INDEX gh_used_jti_expires_at ON gh_used_jti (expires_at);
