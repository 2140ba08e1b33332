package dev.gatehouse.server.config;

import dev.gatehouse.server.clients.ClientAssertions;
import dev.gatehouse.server.clients.RegisteredScopes;
import dev.gatehouse.server.dynamicclients.DynamicRegistration;
import dev.gatehouse.server.pages.UiProperties;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.tokens.ForeignTokenRevocation;
import dev.gatehouse.server.tokens.TokenIntrospectionConstraints;
import dev.gatehouse.server.tokens.UsedProofIds;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenIntrospectionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenRevocationAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.X509ClientCertificateAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.web.authentication.X509ClientCertificateAuthenticationConverter;

/**
 * Spring Authorization Server's protocol endpoints made to match what Gatehouse supports and says (issue #13): client
 * authentication limited to the methods clients can be registered with, with RFC 6749 §5.2 challenges; {@code iss}
 * in every authorization response (RFC 9207); introspection only for the token's own client, audience or a client
 * allowed to (RFC 7662 §2.1); another client's token revoked by nobody and answered as an unknown one (RFC 7009
 * §2.1/§2.2); discovery that advertises exactly that ({@link DiscoveryMetadata}). All through Spring Authorization
 * Server's hooks; {@link SecurityConfiguration} applies {@link #configure}.
 */
@Configuration(proxyBeanMethods = false)
class ProtocolEndpoints {

    @Bean
    DiscoveryMetadata discoveryMetadata(
            JdbcTemplate jdbc, GatehouseProperties properties, UiProperties ui, DynamicRegistration registration) {
        return new DiscoveryMetadata(
                new RegisteredScopes(jdbc, properties.server().clientCacheTtl(), System::nanoTime),
                ui.locales(),
                registration.enabled());
    }

    /**
     * Applies the endpoint hooks. The OpenID Connect discovery document is customised where {@link
     * SecurityConfiguration} configures it ({@link DiscoveryMetadata#customizeOidc}), since that hook takes one
     * customizer only.
     */
    static void configure(
            OAuth2AuthorizationServerConfigurer server, DiscoveryMetadata discovery, UserInfoResource userInfo) {
        IssuerAuthorizationResponses responses = new IssuerAuthorizationResponses();
        server.authorizationEndpoint(endpoint ->
                        endpoint.authorizationResponseHandler(responses).errorResponseHandler(responses))
                .tokenIntrospectionEndpoint(introspection -> introspection.authenticationProviders(providers ->
                        providers.replaceAll(p -> p instanceof OAuth2TokenIntrospectionAuthenticationProvider
                                ? new TokenIntrospectionConstraints(p)
                                : p)))
                // RFC 7009 §2.1/§2.2: another client's token is answered as an unknown one (200), not invalid_client.
                .tokenRevocationEndpoint(revocation -> revocation.authenticationProviders(
                        providers -> providers.replaceAll(p -> p instanceof OAuth2TokenRevocationAuthenticationProvider
                                ? new ForeignTokenRevocation(p)
                                : p)))
                .authorizationServerMetadataEndpoint(metadata ->
                        metadata.authorizationServerMetadataCustomizer(builder -> builder.claims(discovery::customize)))
                // RFC 6750 §3.1 challenges for a revoked token or one without openid (SAS sends none).
                .oidc(oidc -> oidc.userInfoEndpoint(endpoint -> endpoint.errorResponseHandler(userInfo)
                        // SAS answers any other exception invalid_request and drops it: a database outage must
                        // reach the error handler with its cause, to be answered 503 (DatabaseOutageFilter).
                        .authenticationProviders(providers -> providers.replaceAll(KeepDatabaseFailure::new))));
    }

    /**
     * Client assertion {@code jti} values (RFC 7523 §3 item 7) in the table DPoP proofs use, shared by every node.
     */
    @Bean
    ClientAssertions.UsedIds usedAssertionIds(UsedProofIds usedProofs) {
        return (key, keepUntil) -> usedProofs.claimUntil(key, keepUntil) instanceof UsedProofIds.Claim.First;
    }

    /**
     * Whether a client authentication converter or provider is for a method Gatehouse does not register clients with:
     * mTLS (RFC 8705). JWT assertions (RFC 7523) are taken, for {@code private_key_jwt} and {@code client_secret_jwt}
     * ({@link ClientAssertions}; the latter's secrets are also kept sealed under the master key, {@code
     * SealedClientSecrets}, since an HMAC assertion cannot be checked against a hash).
     */
    static boolean unsupportedClientAuthentication(Object converterOrProvider) {
        return converterOrProvider instanceof X509ClientCertificateAuthenticationConverter
                || converterOrProvider instanceof X509ClientCertificateAuthenticationProvider;
    }

    /**
     * Spring's JWT client assertion provider with Gatehouse's {@code private_key_jwt} and {@code client_secret_jwt}
     * rules; others unchanged.
     */
    static AuthenticationProvider privateKeyJwt(AuthenticationProvider provider, ClientAssertions assertions) {
        return provider instanceof JwtClientAssertionAuthenticationProvider jwt ? assertions.provider(jwt) : provider;
    }
}
