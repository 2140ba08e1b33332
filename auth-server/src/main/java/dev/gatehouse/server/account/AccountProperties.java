package dev.gatehouse.server.account;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Account self-service settings, under {@code gatehouse.server.account.*} (environment: {@code
 * GATEHOUSE_SERVER_ACCOUNT_*}).
 *
 * @param reauthenticationMaxAge how young every factor of the session must be for the second-factor actions (set up,
 *     replace or remove TOTP, new recovery codes, and enrolment at {@code /mfa/enroll}), read like OIDC's {@code max_age}: older, and the user confirms the
 *     password (and a TOTP code, when enrolled) first; default 5 minutes
 */
@ConfigurationProperties("gatehouse.server.account")
public record AccountProperties(@DefaultValue("5m") Duration reauthenticationMaxAge) {

    /**
     * Checks the values.
     *
     * @param reauthenticationMaxAge the freshness bound
     */
    public AccountProperties {
        Objects.requireNonNull(reauthenticationMaxAge, "reauthenticationMaxAge must not be null");
        if (reauthenticationMaxAge.isNegative()) {
            throw new IllegalArgumentException(
                    "gatehouse.server.account.reauthentication-max-age must not be negative");
        }
    }
}
