-- E-mail addresses and the e-mail flows (issue #15): self-registration, forgotten password, e-mail change.
-- gh_user gains an optional address, unique whatever its case (email_key, like username_key in V12), and whether
-- the user proved they receive mail there. Accounts created before have no address and are unaffected.
ALTER TABLE gh_user ADD COLUMN email varchar(254);
ALTER TABLE gh_user ADD COLUMN email_verified boolean DEFAULT FALSE NOT NULL;
-- A self-registration waiting for its address to be verified: it cannot sign in (enabled is FALSE) until the link is
-- followed, which then enables it. Kept apart from enabled, so that an operator who disables the account (which ends
-- the wait) is never overridden by a link.
ALTER TABLE gh_user ADD COLUMN registration_pending boolean DEFAULT FALSE NOT NULL;
ALTER TABLE gh_user ADD COLUMN email_key varchar(254) AS LOWER(email);
CREATE UNIQUE INDEX gh_user_email_key ON gh_user (email_key);

-- Single-use links sent by mail. Only the SHA-256 of the token (256 random bits, base64url) is stored, never the
-- token: a copy of the table opens no link. purpose: verify (registration), reset (forgotten password), change
-- (new address, held in new_email until the link at that address is followed). The scheduled purge deletes rows
-- past expires_at.
CREATE TABLE gh_email_token (
    token_hash char(43) NOT NULL,
    purpose varchar(16) NOT NULL,
    username varchar(200) NOT NULL,
    new_email varchar(254),
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    PRIMARY KEY (token_hash),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
CREATE INDEX gh_email_token_username ON gh_email_token (username, purpose);
CREATE INDEX gh_email_token_expires_at ON gh_email_token (expires_at);
