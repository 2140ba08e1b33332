-- Roles and their permissions (resource:action, auth-core's RBAC syntax) in the database, and the per-user
-- "MFA required" flag. Seeded with the roles that were built in before (admin, auditor, admin-client, with the
-- permissions the admin API listed for them) and every role users already hold (no permissions), so existing
-- deployments keep every assignment. Built-in roles are the admin API's own roles: their permissions are fixed in
-- code (AdminPolicy) and cannot be changed or deleted through the API.
CREATE TABLE gh_role (
    name varchar(100) NOT NULL,
    description varchar(500) DEFAULT '' NOT NULL,
    builtin boolean DEFAULT FALSE NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (name)
);
CREATE TABLE gh_role_permission (
    role varchar(100) NOT NULL,
    permission varchar(200) NOT NULL,
    PRIMARY KEY (role, permission),
    FOREIGN KEY (role) REFERENCES gh_role (name) ON DELETE CASCADE
);
INSERT INTO gh_role (name, description, builtin) VALUES ('admin', 'Every action of the admin API', TRUE);
INSERT INTO gh_role (name, description, builtin) VALUES ('auditor', 'Read-only access to the admin API', TRUE);
INSERT INTO gh_role (name, description, builtin)
    VALUES ('admin-client', 'Reserved for client-credentials tokens with the admin scope', TRUE);
INSERT INTO gh_role (name, description, builtin) VALUES ('user', 'The default role of new users', FALSE);
INSERT INTO gh_role (name, description, builtin)
    SELECT DISTINCT role, '', FALSE FROM gh_user_role WHERE role NOT IN (SELECT name FROM gh_role);
INSERT INTO gh_role_permission (role, permission) VALUES ('admin', '*:*');
INSERT INTO gh_role_permission (role, permission) VALUES ('auditor', '*:read');
INSERT INTO gh_role_permission (role, permission) VALUES ('admin-client', '*:*');
-- A role held by a user cannot disappear under it (the admin API answers 409 first; this catches races).
ALTER TABLE gh_user_role ADD CONSTRAINT gh_user_role_role_fk FOREIGN KEY (role) REFERENCES gh_role (name);
CREATE INDEX gh_user_role_role_idx ON gh_user_role (role);
-- Per-user MFA: a user with mfa_required must pass (or, without a factor, enrol) a second factor at every sign-in.
ALTER TABLE gh_user ADD COLUMN mfa_required boolean DEFAULT FALSE NOT NULL;
