package dev.gatehouse.server.config;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.logout.BackchannelLogoutUris;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.tokens.ResourceIndicators;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Component;

/**
 * On first start (no users yet), creates a demo user and two demo clients with generated credentials: a public SPA
 * client (authorization code + PKCE) and a confidential service client (client credentials, authorization code +
 * PKCE, refresh tokens, token exchange; scope {@code admin} for the admin API; the resource-server example as its
 * one resource, RFC 8707). The credentials are written once to {@code <data-dir>/demo-credentials.txt}
 * (owner-only) and printed; only their hashes are in the database. Every start prints the issuer and client ids.
 */
@Component
final class DemoBootstrap implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(DemoBootstrap.class);

    /** The demo user's name. */
    static final String DEMO_USER = "demo";
    /** The public SPA client's id. */
    static final String SPA_CLIENT = "gatehouse-demo-spa";
    /** The confidential service client's id. */
    static final String SERVICE_CLIENT = "gatehouse-demo-service";
    /**
     * The resource the confidential client (the web-client example) may request tokens for (RFC 8707): the
     * resource-server example's URL, as the web client calls it ({@code GATEHOUSE_API}).
     */
    static final String DEMO_RESOURCE = "http://localhost:8082";
    /** Name of the credentials file in the data directory. */
    static final String CREDENTIALS_FILE = "demo-credentials.txt";

    private final GatehouseProperties properties;
    private final JdbcUserStore users;
    private final PasswordHasher hasher;
    private final RegisteredClientRepository clients;
    private final ClientSecrets secrets;
    private final SecureRandom random;
    private final Environment environment;

    DemoBootstrap(
            GatehouseProperties properties,
            JdbcUserStore users,
            PasswordHasher hasher,
            RegisteredClientRepository clients,
            ClientSecrets secrets,
            SecureRandom random,
            Environment environment) {
        this.properties = properties;
        this.users = users;
        this.hasher = hasher;
        this.clients = clients;
        this.secrets = secrets;
        this.random = random;
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        String created = null;
        if (properties.server().demo()
                && users.isEmpty()
                && clients.findByClientId(SPA_CLIENT) == null
                && clients.findByClientId(SERVICE_CLIENT) == null) {
            try {
                created = createDemo();
            } catch (DataIntegrityViolationException e) {
                // Another node sharing the database created them first; its start printed the credentials.
                log.info("demo user and clients were created by another node");
            }
        }
        String issuer = properties.configuredIssuer();
        if (issuer == null) {
            issuer = "http://localhost:" + environment.getProperty("local.server.port", "9000");
        }
        Path file = properties.server().dataDir().resolve(CREDENTIALS_FILE).toAbsolutePath();
        StringBuilder banner = new StringBuilder("\n\n=== Gatehouse authorization server is up ===\n");
        banner.append("  Issuer:           ").append(issuer).append('\n');
        banner.append("  Discovery:        ").append(issuer).append("/.well-known/openid-configuration\n");
        if (properties.server().demo()) {
            banner.append("  Demo user:        ").append(DEMO_USER).append('\n');
            banner.append("  Public SPA client (PKCE):   ").append(SPA_CLIENT).append('\n');
            banner.append("  Confidential service client: ")
                    .append(SERVICE_CLIENT)
                    .append('\n');
            // The generated secrets go only to the owner-only file, never to the log (SECURITY.md: no secret
            // in logs); the banner says where they are.
            banner.append(created != null ? "  Demo credentials generated now, in: " : "  Demo credentials: ")
                    .append(file)
                    .append(
                            created != null
                                    ? " (owner-only)\n"
                                    : " (generated on first start; delete the data directory to start afresh)\n")
                    .append("  Show them with:   cat ")
                    .append(file)
                    .append('\n');
        }
        log.info("{}", banner);
    }

    private String createDemo() {
        String webClient = properties.server().demoWebClientUrl().replaceAll("/+$", "");
        String password = token(18);
        String serviceSecret = secrets.generate();
        users.create(DEMO_USER, hasher.hash(password), List.of("user", "admin"));
        TokenSettings tokens = TokenSettings.builder()
                .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                .accessTokenTimeToLive(properties.token().accessTokenLifetime())
                .refreshTokenTimeToLive(properties.token().refreshTokenLifetime())
                .reuseRefreshTokens(false)
                .authorizationCodeTimeToLive(Duration.ofMinutes(2))
                .build();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(SPA_CLIENT)
                .clientName("Gatehouse demo SPA")
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("http://127.0.0.1:5173/callback")
                .postLogoutRedirectUri("http://127.0.0.1:5173/")
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.PROFILE)
                .scope("api.read")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .tokenSettings(tokens)
                .build());
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(SERVICE_CLIENT)
                .clientName("Gatehouse demo service")
                .clientSecret(secrets.encoder().encode(serviceSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
                .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
                .redirectUri(webClient + "/login/oauth2/code/gatehouse")
                .postLogoutRedirectUri(webClient + "/")
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.PROFILE)
                .scope("api.read")
                .scope("api.write")
                // Operator path to the admin API: a client-credentials token with scope admin (auth-server/README.md).
                .scope("admin")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(properties.server().demoRequireConsent())
                        .setting(ResourceIndicators.RESOURCES_SETTING, new ArrayList<>(List.of(DEMO_RESOURCE)))
                        // The web-client example's Spring endpoint for OIDC Back-Channel Logout 1.0 logout tokens.
                        .setting(
                                BackchannelLogoutUris.URI_SETTING, webClient + "/logout/connect/back-channel/gatehouse")
                        .build())
                .tokenSettings(tokens)
                .build());
        String lines = "    user " + DEMO_USER + " password: " + password + "\n"
                + "    client " + SERVICE_CLIENT + " secret: " + serviceSecret + "\n"
                + "    client " + SPA_CLIENT + " is public (no secret; PKCE S256 required)\n";
        writeOwnerOnly(properties.server().dataDir().resolve(CREDENTIALS_FILE), lines);
        return lines;
    }

    private String token(int bytes) {
        byte[] raw = new byte[bytes];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static void writeOwnerOnly(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            @Nullable Exception unsupported = null;
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                unsupported = e;
                Files.createFile(file);
            }
            if (unsupported != null) {
                log.warn("cannot restrict permissions of {} on this file system", file);
            }
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
