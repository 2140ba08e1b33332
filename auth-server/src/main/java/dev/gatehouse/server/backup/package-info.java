/**
 * Backup and restore of the server's database (auth-server/README.md, "Backup and restore"): the operator tool behind
 * {@code bin/backup} and {@code bin/restore} (H2 offline backup and restore, the master-key check a restore makes
 * before it writes anything) and the online H2 backup a running server makes into its configured directory.
 */
@NullMarked
package dev.gatehouse.server.backup;

import org.jspecify.annotations.NullMarked;
