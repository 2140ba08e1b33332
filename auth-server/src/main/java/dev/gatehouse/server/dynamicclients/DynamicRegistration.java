package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.clients.SealedClientSecrets;
import jakarta.servlet.Filter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationToken;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;

/**
 * Dynamic client registration for the authorization server chain, through Spring Authorization Server's registration
 * endpoint ({@code POST /oauth2/register}, RFC 7591 §3, its {@code OAuth2ClientRegistrationEndpointConfigurer}):
 * Gatehouse's request converter (bounded body, the initial access token), its provider wrapped by the registration
 * mode ({@link RegistrationProvider}), the policy as its validator and client converter, client secrets encoded like
 * every client's, and a registration access token (stored hashed) in the response. Spring Authorization Server has no
 * RFC 7592 update or delete (its OpenID Connect endpoint reads only, and keeps its registration access tokens in full
 * in the authorization table), so client configuration is {@link ClientConfigurationEndpoint}, a filter of the same
 * chain. Off by default: then nothing is configured and both URIs answer 404.
 */
public final class DynamicRegistration {

    /** Where {@code AccessTokensOnlyAtUserInfo} keeps a registration request's {@code Authorization} header. */
    public static final String AUTHORIZATION_ATTRIBUTE = DynamicRegistration.class.getName() + ".authorization";

    /** RFC 7591 §3: the registration endpoint (Spring Authorization Server's default path). */
    public static final String REGISTRATION_PATH = "/oauth2/register";

    private final DynamicRegistrationProperties properties;
    private final RegistrationPolicy policy;
    private final InitialAccessTokens initialTokens;
    private final RegistrationAccessTokens registrationTokens;
    private final ClientSecrets secrets;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;
    private final Supplier<String> issuer;
    private final RegistrationResponses responses = new RegistrationResponses();
    private final ClientConfigurationEndpoint configurationEndpoint;
    private final SealedClientSecrets sealed;

    DynamicRegistration(
            DynamicRegistrationProperties properties,
            RegistrationPolicy policy,
            InitialAccessTokens initialTokens,
            RegistrationAccessTokens registrationTokens,
            ClientSecrets secrets,
            TransactionTemplate tx,
            AuditLog audit,
            Clock clock,
            SecureRandom random,
            Supplier<String> issuer,
            ClientConfigurationEndpoint.Store store,
            SealedClientSecrets sealed) {
        this.sealed = Objects.requireNonNull(sealed, "sealed must not be null");
        this.properties = Objects.requireNonNull(properties, "properties must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.initialTokens = Objects.requireNonNull(initialTokens, "initialTokens must not be null");
        this.registrationTokens = Objects.requireNonNull(registrationTokens, "registrationTokens must not be null");
        this.secrets = Objects.requireNonNull(secrets, "secrets must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
        this.issuer = Objects.requireNonNull(issuer, "issuer must not be null");
        this.configurationEndpoint = new ClientConfigurationEndpoint(
                properties.enabled(),
                properties.maxBodyBytes(),
                policy,
                registrationTokens,
                secrets,
                store,
                tx,
                audit,
                responses,
                this::clientUri,
                sealed);
    }

    /**
     * Whether registration is on ({@code gatehouse.server.registration.enabled}).
     *
     * @return {@code true} if it is
     */
    public boolean enabled() {
        return properties.enabled();
    }

    /**
     * Every request to the registration and client configuration URIs, whether registration is on or not (off, they
     * answer 404 from {@link #configurationFilter()}).
     *
     * @return the matcher
     */
    public RequestMatcher requests() {
        return new OrRequestMatcher(
                PathPatternRequestMatcher.pathPattern(REGISTRATION_PATH),
                PathPatternRequestMatcher.pathPattern(REGISTRATION_PATH + "/**"));
    }

    /**
     * CORS for the registration and client configuration URIs, so that browser-based clients (MCP clients in a web
     * page) can register: only the configured exact origins ({@code
     * gatehouse.server.registration.cors-allowed-origins}), {@code POST} to register and {@code GET}, {@code PUT},
     * {@code DELETE} to manage (RFC 7592 §2), the headers {@code Authorization} (initial or registration access token)
     * and {@code Content-Type}, {@code WWW-Authenticate} readable, and never credentials: these endpoints authenticate by
     * bearer token, never by the user's session. Preflights from an allowed origin are answered with 200 and these
     * headers, from any other with 403. Off (no origin configured, the default) or with registration off, these URIs
     * get no CORS headers and browsers keep scripts of other origins from reading them.
     *
     * @param others the configuration of every other path
     * @return a source that answers for the registration URIs and asks {@code others} for the rest
     */
    public CorsConfigurationSource cors(CorsConfigurationSource others) {
        Objects.requireNonNull(others, "others must not be null");
        RequestMatcher requests = requests();
        @Nullable CorsConfiguration registrationCors = registrationCors();
        return request -> requests.matches(request) ? registrationCors : others.getCorsConfiguration(request);
    }

    private @Nullable CorsConfiguration registrationCors() {
        if (!properties.enabled() || properties.corsOrigins().isEmpty()) {
            return null;
        }
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.corsOrigins());
        cors.setAllowedMethods(List.of("POST", "GET", "PUT", "DELETE"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type"));
        cors.setExposedHeaders(List.of("WWW-Authenticate", "Retry-After"));
        cors.setAllowCredentials(false);
        cors.setMaxAge(3600L);
        return cors;
    }

    /**
     * The client configuration endpoint (RFC 7592) and the 404 answer while registration is off; placed before CSRF
     * protection (its callers are clients with bearer tokens, not browsers with sessions).
     *
     * @return the filter
     */
    public Filter configurationFilter() {
        return configurationEndpoint;
    }

    /**
     * Configures Spring Authorization Server's registration endpoint, when registration is on.
     *
     * @param server the authorization server configurer
     */
    public void configure(OAuth2AuthorizationServerConfigurer server) {
        if (!properties.enabled()) {
            return;
        }
        server.clientRegistrationEndpoint(endpoint -> endpoint
                // The mode is decided by RegistrationProvider, before Spring's provider runs.
                .openRegistrationAllowed(true)
                .clientRegistrationRequestConverters(converters -> {
                    converters.clear();
                    converters.add(new RegistrationRequests(properties.maxBodyBytes(), audit));
                })
                .authenticationProviders(providers -> providers.replaceAll(
                        p -> p instanceof OAuth2ClientRegistrationAuthenticationProvider registration
                                ? wrap(registration)
                                : p))
                .clientRegistrationResponseHandler(responses)
                .errorResponseHandler(responses));
    }

    private RegistrationProvider wrap(OAuth2ClientRegistrationAuthenticationProvider registration) {
        registration.setPasswordEncoder(secrets.encoder());
        registration.setAuthenticationValidator(
                context -> policy.check(context.<OAuth2ClientRegistrationAuthenticationToken>getAuthentication()
                        .getClientRegistration()));
        registration.setRegisteredClientConverter(request -> {
            RegistrationPolicy.Metadata metadata = policy.check(request);
            // client_secret_jwt (RFC 7523 §2.2): a secret long enough for HS512, also kept sealed.
            String secret = !metadata.secret() ? null : metadata.secretJwt() ? sealed.generate() : secrets.generate();
            return sealed.apply(
                    RegistrationPolicy.withSigningAlgorithm(
                            policy.newClient(metadata, TokenHashes.newClientId(random), clock.instant(), secret),
                            request.getClaims()),
                    secret);
        });
        // Called with the client as saved but its secret in plain (Spring encodes a copy), in the transaction of
        // RegistrationProvider: the registration access token is stored with the client.
        registration.setClientRegistrationConverter(client -> responses.information(
                client,
                plainSecret(client),
                registrationTokens.issue(client.getId()),
                clientUri(client.getClientId())));
        return new RegistrationProvider(
                registration,
                properties.mode(),
                initialTokens,
                tx,
                audit,
                registrationTokens::clients,
                properties.maxClients(),
                registrationTokens::recordRegistrant,
                properties.maxClientsPerAddress());
    }

    /**
     * The new secret in plain for the registration response. Spring Authorization Server hands a {@code
     * client_secret_jwt} client over with its secret already hashed (its own HMAC decoder keys with the stored value):
     * the plain secret is then the sealed copy. Never the hash.
     */
    private String plainSecret(
            org.springframework.security.oauth2.server.authorization.client.RegisteredClient client) {
        String plain = client.getClientSecret();
        if (SealedClientSecrets.registered(client)) {
            plain = sealed.openString(client).orElse(plain);
        }
        if (plain != null && plain.startsWith("{")) {
            throw new IllegalStateException("a hashed client secret must never be returned");
        }
        return plain;
    }

    /** RFC 7592 §3: the client configuration URI, on the issuer. */
    String clientUri(String clientId) {
        String base = issuer.get();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + REGISTRATION_PATH + "/"
                + java.net.URLEncoder.encode(clientId, java.nio.charset.StandardCharsets.UTF_8);
    }
}
