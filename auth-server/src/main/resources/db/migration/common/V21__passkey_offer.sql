-- Passkeys (issue #16): users who answered "Don't ask again" to the offer to add a passkey after a password sign-in
-- (gatehouse.server.passkeys.offer-after-sign-in). Owned by the server's passkeys package (PasskeyOfferChoices); the
-- row goes with its user. No row: the offer may be shown (once per sign-in, while the user has no passkey).
CREATE TABLE gh_passkey_offer_declined (
    username varchar(200) NOT NULL,
    declined_at timestamp with time zone NOT NULL,
    PRIMARY KEY (username),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
