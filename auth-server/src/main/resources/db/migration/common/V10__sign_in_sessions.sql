-- Browser sign-in sessions live in the servlet container (one node's memory). An operator's password reset, MFA
-- reset, "revoke all sessions" or disabling of a user must end them on every node: each node compares the time a
-- session signed in with this row's not_before on every request that the session makes (SessionValidityFilter).
CREATE TABLE gh_sign_in_revocation (
    username varchar(200) NOT NULL,
    not_before timestamp with time zone NOT NULL,
    PRIMARY KEY (username)
);
