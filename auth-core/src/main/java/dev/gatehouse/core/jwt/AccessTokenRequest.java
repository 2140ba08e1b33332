package dev.gatehouse.core.jwt;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What goes into an RFC 9068 access token. Build with {@link #builder(String, String)}.
 *
 * @param subject {@code sub}: the user, or the client for client-credentials tokens
 * @param clientId {@code client_id}
 * @param audiences {@code aud}: the resource servers
 * @param scopes {@code scope}
 * @param claims further claims (e.g. {@code roles}); may not override registered ones
 * @param lifetime overrides the issuer's default lifetime when set
 */
public record AccessTokenRequest(
        String subject,
        String clientId,
        List<String> audiences,
        Set<String> scopes,
        Map<String, Object> claims,
        @Nullable Duration lifetime) {

    /** Copies collections and checks arguments. */
    public AccessTokenRequest {
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(clientId, "clientId must not be null");
        audiences = List.copyOf(audiences);
        scopes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(scopes));
        claims = Map.copyOf(claims);
        if (audiences.isEmpty()) {
            throw new TokenException(
                    TokenException.Reason.MISSING_CLAIM, "an access token needs at least one audience (RFC 9068 §2.2)");
        }
    }

    /**
     * A builder for a token about {@code subject} issued to {@code clientId}.
     *
     * @param subject the subject
     * @param clientId the client
     * @return a builder
     */
    public static Builder builder(String subject, String clientId) {
        return new Builder(subject, clientId);
    }

    /** Builds an {@link AccessTokenRequest}. */
    public static final class Builder {
        private final String subject;
        private final String clientId;
        private final List<String> audiences = new java.util.ArrayList<>();
        private final Set<String> scopes = new LinkedHashSet<>();
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private @Nullable Duration lifetime;

        private Builder(String subject, String clientId) {
            this.subject = subject;
            this.clientId = clientId;
        }

        /**
         * Adds audiences.
         *
         * @param audience resource server identifiers
         * @return this builder
         */
        public Builder audience(String... audience) {
            audiences.addAll(List.of(audience));
            return this;
        }

        /**
         * Adds scopes.
         *
         * @param scope scope values
         * @return this builder
         */
        public Builder scope(String... scope) {
            scopes.addAll(List.of(scope));
            return this;
        }

        /**
         * Adds a claim.
         *
         * @param name claim name, not a registered one
         * @param value a JSON-compatible value
         * @return this builder
         */
        public Builder claim(String name, Object value) {
            claims.put(name, value);
            return this;
        }

        /**
         * Overrides the lifetime.
         *
         * @param lifetime the lifetime
         * @return this builder
         */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         */
        public AccessTokenRequest build() {
            return new AccessTokenRequest(subject, clientId, audiences, scopes, claims, lifetime);
        }
    }
}
