-- Canonical usernames (issue #13 item 18). New names are stored in canonical form (Unicode NFKC, then lower case
-- with Locale.ROOT: users.Usernames, applied by the server) and signed in by it. Existing rows are NOT renamed: a
-- user's name is the `sub` relying parties know, and the TOTP secret is sealed under it, so renaming would change
-- identities and break second factors. Instead every name gets a case-folded key with a unique index, so no two
-- accounts can differ only in case from now on, and sign-in finds an old mixed-case account by that key.
--
-- If two existing names already differ only in case, this migration stops with a message naming them (nothing is
-- merged): rename or delete all but one of each group, then start the server again. SQL LOWER is not NFKC: for
-- non-ASCII names the key is the database's lower case only (the admin API accepts ASCII names only, so such rows
-- can come only from direct database writes).
ALTER TABLE gh_user ADD COLUMN username_key varchar(200) AS LOWER(username);

-- Fails with "Data conversion error converting 'Gatehouse V12: ...'" naming the colliding names, only if any exist.
SELECT CAST('Gatehouse V12: usernames that differ only in case exist (' || LISTAGG(username, ', ')
        WITHIN GROUP (ORDER BY username) || '); rename or delete all but one of each, then restart' AS INT)
FROM gh_user
WHERE username_key IN (SELECT username_key FROM gh_user GROUP BY username_key HAVING COUNT(*) > 1)
HAVING COUNT(*) > 0;

CREATE UNIQUE INDEX gh_user_username_key ON gh_user (username_key);
