package dev.gatehouse.server.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the admin API, under {@code gatehouse.server.admin.*} (environment: {@code GATEHOUSE_SERVER_ADMIN_*}).
 *
 * @param scope the OAuth scope a token must carry to use the admin API at all; default {@code admin}
 * @param defaultPageSize page size of list endpoints when {@code size} is not given; default 20
 * @param maxPageSize the largest {@code size} a list endpoint accepts (larger is a 400); default 100
 */
@ConfigurationProperties("gatehouse.server.admin")
public record AdminProperties(
        @DefaultValue("admin") String scope,
        @DefaultValue("20") int defaultPageSize,
        @DefaultValue("100") int maxPageSize) {

    /** Checks the values, so a misconfiguration stops the server at start-up. */
    public AdminProperties {
        if (scope.isBlank() || !scope.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
            // RFC 6749 §3.3 scope-token
            throw new IllegalArgumentException("gatehouse.server.admin.scope must be one RFC 6749 §3.3 scope token");
        }
        if (maxPageSize < 1 || maxPageSize > 1000) {
            throw new IllegalArgumentException("gatehouse.server.admin.max-page-size must be between 1 and 1000");
        }
        if (defaultPageSize < 1 || defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException(
                    "gatehouse.server.admin.default-page-size must be between 1 and gatehouse.server.admin.max-page-size");
        }
    }
}
