-- Client change epoch (issue #14). Every node caches registered clients; a node must drop a rotated secret, a
-- disabled or deleted client or changed redirect URIs within 1 s of the change, wherever it was made. One row
-- counts the changes: a statement trigger bumps it in the same transaction as every write to
-- oauth2_registered_client (the server's own, a raw-SQL delete, an operator's psql session), so the new value
-- becomes visible exactly when the change commits. Each node polls the row (clients.ClientChangePoller) and clears
-- its cache when the value moves.
--
-- A row updated in the writing transaction, not a sequence: a sequence advances before the commit, so a node could
-- see the new value, clear its cache, re-read the old client and never notice again. The row lock serialises
-- concurrent client writes, which are rare (the admin API).
CREATE TABLE gh_client_epoch (
    id integer NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO gh_client_epoch (id, version) VALUES (1, 0);

-- search_path pinned to the migration's: an operator's session with another search_path still bumps this table.
CREATE FUNCTION gh_client_epoch_bump() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
AS $$
BEGIN
    UPDATE gh_client_epoch SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER gh_client_epoch_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON oauth2_registered_client
    FOR EACH STATEMENT EXECUTE FUNCTION gh_client_epoch_bump();
