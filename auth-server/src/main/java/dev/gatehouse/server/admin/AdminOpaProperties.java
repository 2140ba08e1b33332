package dev.gatehouse.server.admin;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * An optional Open Policy Agent beside the admin API's built-in roles, under {@code gatehouse.server.admin.opa.*}
 * (environment {@code GATEHOUSE_SERVER_ADMIN_OPA_*}). When {@code url} is set, every admin decision also asks OPA (auth-core's
 * {@code OpaRestEngine}) and the two are combined deny-overrides: OPA can veto what the roles allow (a change freeze,
 * office hours, a four-eyes rule) but never allow what they refuse, and an OPA that is down, slow or undefined denies
 * (fail closed). The server's health then has an {@code opa} component. The document answers with auth-core's
 * decision shape: {@code {"allow": false, "reason": ...}} to veto, {@code {"applicable": false}} for no opinion.
 *
 * @param url OPA's base URL, e.g. {@code http://127.0.0.1:8181}; unset (default) means no OPA
 * @param document the decision document under {@code /v1/data/}; default {@code gatehouse/admin/decision}
 * @param timeout how long one decision may take before it counts as a deny; default 500 ms
 * @param bearerToken OPA's {@code --authentication=token} token, if it needs one
 * @param healthCache how long the {@code opa} health component reuses its last probe; default 10 s
 */
@ConfigurationProperties("gatehouse.server.admin.opa")
public record AdminOpaProperties(
        @Nullable URI url,
        @DefaultValue("gatehouse/admin/decision") String document,
        @DefaultValue("500ms") Duration timeout,
        @Nullable String bearerToken,
        @DefaultValue("10s") Duration healthCache) {

    /** Checks the values, so a misconfiguration stops the server at start-up. */
    public AdminOpaProperties {
        Objects.requireNonNull(document, "gatehouse.server.admin.opa.document must not be null");
        Objects.requireNonNull(timeout, "gatehouse.server.admin.opa.timeout must not be null");
        Objects.requireNonNull(healthCache, "gatehouse.server.admin.opa.health-cache must not be null");
        if (url != null
                && (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null)) {
            throw new IllegalArgumentException("gatehouse.server.admin.opa.url must be an http or https URL");
        }
    }
}
