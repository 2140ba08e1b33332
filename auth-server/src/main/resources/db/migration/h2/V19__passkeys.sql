-- Passkeys (WebAuthn Level 3, issue #16), owned by the server's passkeys package (JdbcPasskeyStore). Rows go with
-- their user (ON DELETE CASCADE from gh_user, then from gh_passkey_user).
--
-- gh_passkey_user: the WebAuthn user handle of a Gatehouse user (user.id, WebAuthn Level 3 §5.4.3: at most 64
-- random bytes, never the username), made when the user first asks to register a passkey.
CREATE TABLE gh_passkey_user (
    user_handle varbinary(64) NOT NULL,
    username varchar(200) NOT NULL,
    display_name varchar(200) NOT NULL,
    PRIMARY KEY (user_handle),
    FOREIGN KEY (username) REFERENCES gh_user (username) ON DELETE CASCADE
);
CREATE UNIQUE INDEX gh_passkey_user_username ON gh_passkey_user (username);

-- gh_passkey: one registered credential (WebAuthn Level 3 §4 "credential record"). credential_id is the raw id (at
-- most 1023 bytes, §5.1 rawId / §7.1 step 25); public_key the COSE key; signature_count the last counter accepted
-- (only ever raised, §6.1.1); the attestation object and its clientDataJSON are kept because Spring's relying party
-- reads the attested credential data from them at every sign-in. transports: comma-separated (usb,nfc,...).
CREATE TABLE gh_passkey (
    credential_id varbinary(1023) NOT NULL,
    user_handle varbinary(64) NOT NULL,
    label varchar(64) NOT NULL,
    credential_type varchar(32) NOT NULL,
    public_key varbinary(2048) NOT NULL,
    signature_count bigint NOT NULL,
    uv_initialized boolean NOT NULL,
    backup_eligible boolean NOT NULL,
    backup_state boolean NOT NULL,
    transports varchar(200) NOT NULL,
    attestation_object varbinary(16384),
    attestation_client_data varbinary(4096),
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    PRIMARY KEY (credential_id),
    FOREIGN KEY (user_handle) REFERENCES gh_passkey_user (user_handle) ON DELETE CASCADE
);
CREATE INDEX gh_passkey_user_handle ON gh_passkey (user_handle, created_at);
