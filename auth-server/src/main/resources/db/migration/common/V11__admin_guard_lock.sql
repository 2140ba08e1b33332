-- One row that every change able to close the last way into the admin API locks (SELECT ... FOR UPDATE) before
-- counting what is left: two operators removing each other's admin rights at the same moment are serialised, so
-- the second one counts after the first has committed and is refused (LastAdminGuard).
CREATE TABLE gh_admin_guard (
    id integer NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO gh_admin_guard (id) VALUES (1);
