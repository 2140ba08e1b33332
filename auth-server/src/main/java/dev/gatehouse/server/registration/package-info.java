/**
 * The e-mail flows (issue #15), each off unless its {@code gatehouse.server.mail.*} property turns it on:
 * self-registration with verification of the address, the forgotten-password reset, and the change of a signed-in
 * user's address confirmed at the new one. Owns the single-use e-mail tokens ({@code gh_email_token}), stored only as
 * SHA-256 hashes; reads and writes users through {@link dev.gatehouse.server.users.JdbcUserStore}; sends through
 * {@link dev.gatehouse.server.mail.MailSender}.
 */
@NullMarked
package dev.gatehouse.server.registration;

import org.jspecify.annotations.NullMarked;
