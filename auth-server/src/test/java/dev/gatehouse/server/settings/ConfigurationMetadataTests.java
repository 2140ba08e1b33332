package dev.gatehouse.server.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The server's generated configuration metadata: every property lives in the one tree ({@code gatehouse.dev-mode},
 * {@code gatehouse.token.*}, {@code gatehouse.server.*}), and every name from before issue #22 is deprecated at level
 * warning with a replacement of the same type, which is what Spring Boot's properties migrator needs to map it (a
 * replacement it cannot find, or of another type, would be reported as unsupported and not mapped).
 */
class ConfigurationMetadataTests {

    @Test
    void metadataWhenGeneratedThenNewNamesInOneTreeAndEveryOldNameMapsToOneOfThemWithItsType() throws Exception {
        JsonNode metadata;
        try (InputStream in = Objects.requireNonNull(
                getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json"),
                "the build generates META-INF/spring-configuration-metadata.json")) {
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, String> current = new HashMap<>();
        Map<String, JsonNode> deprecated = new HashMap<>();
        for (JsonNode property : metadata.path("properties")) {
            String name = property.path("name").asText();
            if (property.has("deprecation")) {
                deprecated.put(name, property);
            } else {
                current.put(name, property.path("type").asText());
            }
        }
        assertThat(current.keySet())
                .allMatch(n -> n.equals("gatehouse.dev-mode")
                        || n.startsWith("gatehouse.token.")
                        || n.startsWith("gatehouse.server."))
                .contains(
                        "gatehouse.token.issuer",
                        "gatehouse.token.access-token-lifetime",
                        "gatehouse.token.refresh-token-lifetime",
                        "gatehouse.token.rotation-check-interval",
                        "gatehouse.server.data-dir",
                        "gatehouse.server.throttle.free-attempts",
                        "gatehouse.server.admin.opa.url",
                        "gatehouse.server.audit.retention",
                        "gatehouse.server.rate-limit.enabled",
                        "gatehouse.server.transport.max-sessions");
        // Every name but dev-mode (which kept its name) and those added after the rename had an old one.
        Set<String> addedSince = Set.of(
                "gatehouse.server.client-cache-poll-interval",
                "gatehouse.server.client-cache-max-staleness",
                "gatehouse.server.node-name",
                "gatehouse.server.node-header",
                "gatehouse.token.key-poll-interval",
                "gatehouse.token.jwks-max-age",
                "gatehouse.server.throttle.max-attempt-connections",
                "gatehouse.server.ui.product-name",
                "gatehouse.server.ui.logo",
                "gatehouse.server.ui.primary-color",
                "gatehouse.server.ui.support-url",
                "gatehouse.server.ui.directory",
                "gatehouse.server.ui.locales",
                "gatehouse.server.account.reauthentication-max-age",
                "gatehouse.server.rate-limit.account-per-address",
                // The e-mail flows (issue #15).
                "gatehouse.server.mail.registration-enabled",
                "gatehouse.server.mail.registration-requires-verification",
                "gatehouse.server.mail.password-reset-enabled",
                "gatehouse.server.mail.email-change-enabled",
                "gatehouse.server.mail.from",
                "gatehouse.server.mail.delivery",
                "gatehouse.server.mail.verification-link-lifetime",
                "gatehouse.server.mail.reset-link-lifetime",
                "gatehouse.server.mail.change-link-lifetime",
                "gatehouse.server.mail.mails-per-recipient",
                "gatehouse.server.mail.mails-per-client-address",
                // Passkeys (issue #16).
                "gatehouse.server.passkeys.enabled",
                "gatehouse.server.passkeys.rp-id",
                "gatehouse.server.passkeys.rp-name",
                "gatehouse.server.passkeys.allowed-origins",
                "gatehouse.server.passkeys.allowed-aaguids",
                "gatehouse.server.passkeys.offer-after-sign-in",
                // Dynamic client registration (issue #17).
                "gatehouse.server.rate-limit.registration-per-address",
                "gatehouse.server.registration.enabled",
                "gatehouse.server.registration.mode",
                "gatehouse.server.registration.grant-types",
                "gatehouse.server.registration.token-endpoint-auth-methods",
                "gatehouse.server.registration.scopes",
                "gatehouse.server.registration.resources",
                "gatehouse.server.registration.max-client-name-length",
                "gatehouse.server.registration.max-redirect-uris",
                "gatehouse.server.registration.max-body-bytes",
                "gatehouse.server.registration.max-clients",
                "gatehouse.server.registration.max-clients-per-address",
                "gatehouse.server.registration.cors-allowed-origins",
                // Back-channel logout (issue #17).
                "gatehouse.server.backchannel-logout.enabled",
                "gatehouse.server.backchannel-logout.poll",
                "gatehouse.server.backchannel-logout.lease",
                "gatehouse.server.backchannel-logout.connect-timeout",
                "gatehouse.server.backchannel-logout.timeout",
                "gatehouse.server.backchannel-logout.max-attempts",
                "gatehouse.server.backchannel-logout.initial-backoff",
                "gatehouse.server.backchannel-logout.max-backoff",
                "gatehouse.server.backchannel-logout.retention",
                "gatehouse.server.backchannel-logout.max-per-host",
                "gatehouse.server.backchannel-logout.circuit-failures",
                "gatehouse.server.backchannel-logout.circuit-open",
                // Sign-in bursts (issue #18).
                "gatehouse.server.transport.max-password-checks-in-flight",
                // Online H2 backup (issue #19).
                "gatehouse.server.backup.directory");
        assertThat(current).containsKeys(addedSince.toArray(String[]::new));
        assertThat(deprecated).hasSize(current.size() - 1 - addedSince.size());
        deprecated.forEach((name, property) -> {
            JsonNode deprecation = property.path("deprecation");
            String replacement = deprecation.path("replacement").asText();
            assertThat(deprecation.path("level").asText()).as(name).isEqualTo("warning");
            assertThat(deprecation.path("reason").asText()).as(name).isEqualTo("renamed in 0.x for one property tree");
            assertThat(current)
                    .as(name)
                    .containsEntry(replacement, property.path("type").asText());
        });
        assertThat(deprecated
                        .get("gatehouse.issuer")
                        .path("deprecation")
                        .path("replacement")
                        .asText())
                .isEqualTo("gatehouse.token.issuer");
        assertThat(deprecated
                        .get("gatehouse.key-rotation-check")
                        .path("deprecation")
                        .path("replacement")
                        .asText())
                .isEqualTo("gatehouse.token.rotation-check-interval");
    }
}
