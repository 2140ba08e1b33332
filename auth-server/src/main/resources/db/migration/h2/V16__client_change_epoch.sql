-- Client change epoch (issue #14): see the PostgreSQL migration. H2 is embedded and serves one node only, so there
-- is no trigger: the clients package bumps the row itself after each of its writes (clients.ClientChangeEpoch).
CREATE TABLE gh_client_epoch (
    id integer NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO gh_client_epoch (id, version) VALUES (1, 0);
