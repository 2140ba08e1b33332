package dev.gatehouse.server.registration;

import java.util.Objects;

/**
 * The outstanding forgotten-password links of a user, for other packages that change what such a link would reset:
 * a password changed on the account pages withdraws them, so a link mailed before the change cannot undo it.
 */
public final class ResetLinks {

    private final EmailTokens tokens;

    ResetLinks(EmailTokens tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
    }

    /**
     * Withdraws every outstanding reset link of a user.
     *
     * @param username the stored name
     */
    public void withdraw(String username) {
        Objects.requireNonNull(username, "username must not be null");
        tokens.withdraw(username, EmailTokens.Purpose.RESET);
    }
}
