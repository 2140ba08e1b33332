-- Passkeys (issue #16): an operator can require a phishing-resistant factor (a passkey, WebAuthn Level 3) of a user,
-- as mfa_required requires a second factor. Existing users are unaffected (FALSE); a user who has no passkey yet
-- registers one during the next sign-in, after the password (and any one-time code) were proved.
ALTER TABLE gh_user ADD COLUMN passkey_required boolean DEFAULT FALSE NOT NULL;
