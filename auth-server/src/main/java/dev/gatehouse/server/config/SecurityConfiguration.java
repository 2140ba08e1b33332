package dev.gatehouse.server.config;

import dev.gatehouse.server.account.PasskeyOffer;
import dev.gatehouse.server.account.PasskeyRegistrationGuard;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.clients.ClientAssertions;
import dev.gatehouse.server.clients.Fapi2ClientAuthentication;
import dev.gatehouse.server.clients.OneClientAuthenticationMethod;
import dev.gatehouse.server.clients.RequestObjects;
import dev.gatehouse.server.dynamicclients.DynamicRegistration;
import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.logout.RpLogoutSessionCheck;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyRelyingPartySettings;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.passkeys.TimedRequestOptionsRepository;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.signin.AuthenticationRequestValidator;
import dev.gatehouse.server.signin.AuthorizationRequestParameters;
import dev.gatehouse.server.signin.ConsentController;
import dev.gatehouse.server.signin.ConsentRefusal;
import dev.gatehouse.server.signin.ConsentStateGuard;
import dev.gatehouse.server.signin.DeviceApprovalFactorCheck;
import dev.gatehouse.server.signin.DeviceVerificationController;
import dev.gatehouse.server.signin.DeviceVerificationGuard;
import dev.gatehouse.server.signin.MfaStepUpFilter;
import dev.gatehouse.server.signin.PasskeyAuthenticationProvider;
import dev.gatehouse.server.signin.PasskeySignInResponses;
import dev.gatehouse.server.signin.ReauthenticationFilter;
import dev.gatehouse.server.signin.SavedRequestRedirect;
import dev.gatehouse.server.signin.SessionValidityFilter;
import dev.gatehouse.server.signin.SignInFailureRedirect;
import dev.gatehouse.server.tokens.CodeVerifierSyntax;
import dev.gatehouse.server.tokens.DevicePolling;
import dev.gatehouse.server.tokens.FailedProofInvalidatesCode;
import dev.gatehouse.server.tokens.ProofReplayFilter;
import dev.gatehouse.server.tokens.RefreshGrantFactorCheck;
import dev.gatehouse.server.tokens.TokenExchangeConstraints;
import dev.gatehouse.server.tokens.UsedProofIds;
import dev.gatehouse.server.transport.AccessDeniedPage;
import dev.gatehouse.server.transport.SessionLimits;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.server.users.SignInSessions;
import jakarta.servlet.Filter;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationConsentAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceCodeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2PushedAuthorizationRequestAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenExchangeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.webauthn.authentication.PublicKeyCredentialRequestOptionsFilter;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthenticationFilter;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Two filter chains: Spring Authorization Server's protocol endpoints (with OIDC, PAR and device authorization
 * switched on), then form login for everything else. Endpoints are Spring Authorization Server's own; Gatehouse adds
 * its consent page (the {@code consentPage} hook), request checks on the authorization-request validator hooks, and
 * two filters in front of the authorization endpoint: the MFA step-up and re-authentication ({@code prompt=login},
 * {@code max_age}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {

    /**
     * The server's own pages (sign-in, MFA steps, enrolment, consent): scripts only as files from the server (the
     * passkey ceremonies, {@code static/assets}; no inline script, no {@code eval}), styles and images from the server
     * (and the enrolment QR code as a {@code data:} image), requests only to the server ({@code connect-src 'self'}
     * falls under {@code default-src 'none'} otherwise, and the passkey scripts post to it), no framing
     * (clickjacking), no {@code <base>} tricks.
     */
    static final String PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self';"
            + " img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    /** Refuses oversized requests and repeated parameters with RFC 6749 errors before anything parses them. */
    @Bean
    FilterRegistrationBean<ProtocolRequestGuard> protocolRequestGuard() {
        FilterRegistrationBean<ProtocolRequestGuard> registration =
                new FilterRegistrationBean<>(new ProtocolRequestGuard(ProtocolRequestGuard.DEFAULT_MAX_BYTES));
        // Right after the bounded body read (transport.BoundedRequestBodyFilter): it parses parameters.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    /**
     * Signed request objects (RFC 9101) at the authorization and PAR endpoints: verified, then the request goes on with
     * the object's parameters only, before Spring Security, so every filter reads the same ones.
     */
    @Bean
    FilterRegistrationBean<RequestObjectFilter> requestObjectFilter(
            RequestObjects objects, RegisteredClientRepository clients) {
        FilterRegistrationBean<RequestObjectFilter> registration =
                new FilterRegistrationBean<>(new RequestObjectFilter(objects, clients));
        // After the bounded body read, the request guard and the rate limits: it parses and verifies.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return registration;
    }

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerChain(
            HttpSecurity http,
            GatehouseProperties properties,
            MfaPolicy mfa,
            OAuth2AuthorizationService authorizations,
            SignInSessions signIns,
            RegisteredClientRepository clients,
            Clock clock,
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            DiscoveryMetadata discovery,
            SessionLimits sessions,
            UsedProofIds usedProofs,
            PasskeyOffer passkeyOffer,
            DynamicRegistration registration,
            Fapi2ClientAuthentication fapi2ClientAuthentication,
            BackchannelLogout backchannel,
            ClientAssertions assertions,
            @Qualifier(PROTOCOL_CORS) CorsConfigurationSource protocolCors)
            throws Exception {
        RequestMatcher authorizeEndpoint = PathPatternRequestMatcher.pathPattern("/oauth2/authorize");
        RequestMatcher deviceVerificationEndpoint =
                PathPatternRequestMatcher.pathPattern("/oauth2/device_verification");
        // What SAS resolves (pushed requests, consent states, user codes), for the filters that decide before it.
        AuthorizationRequestParameters parameters = new AuthorizationRequestParameters(
                authorizations, clients, authorizeEndpoint, deviceVerificationEndpoint);
        // A second factor owed and missing, or a phishing-resistant one (a passkey) owed and missing (issue #16).
        AuthenticationRequestValidator.MissingFactor missingFactor = mfa::missingFactor;
        // A consent post with no ticked scope is a refusal, whatever was granted before (#13 item 1).
        ConsentRefusal refusal = new ConsentRefusal(authorizations);
        UserInfoResource userInfo = new UserInfoResource(properties.configuredIssuer());
        http.oauth2AuthorizationServer(server -> {
                    // Also the UserInfo resource's metadata (RFC 9728), served by this chain's resource server.
                    // And the dynamic registration URIs (RFC 7591/7592), which answer 404 while registration is off.
                    http.securityMatcher(new OrRequestMatcher(
                            server.getEndpointsMatcher(), userInfo.metadataRequests(), registration.requests()));
                    // Dynamic client registration on Spring Authorization Server's endpoint, when it is on (#17).
                    registration.configure(server);
                    // iss, introspection access, discovery, UserInfo errors (issue #13).
                    ProtocolEndpoints.configure(server, discovery, userInfo);
                    // Client authentication, in one place: SAS keeps only the last consumer given to each list.
                    // Clients are registered with client_secret_basic, client_secret_post, private_key_jwt,
                    // client_secret_jwt or none
                    // (admin API): mTLS (RFC 8705) is switched off, so no client can use a method discovery does not
                    // advertise. One method per request (RFC 6749 §2.3) and a well-formed
                    // code_verifier (RFC 7636 §4.1) are checked first; a failed PKCE proof burns the code.
                    server.clientAuthentication(client -> client.authenticationConverters(converters -> {
                                converters.removeIf(ProtocolEndpoints::unsupportedClientAuthentication);
                                converters.addAll(
                                        0, List.of(new OneClientAuthenticationMethod(), new CodeVerifierSyntax()));
                            })
                            .authenticationProviders(providers -> {
                                providers.removeIf(ProtocolEndpoints::unsupportedClientAuthentication);
                                // private_key_jwt and client_secret_jwt (RFC 7523), single-use jti.
                                providers.replaceAll(p -> ProtocolEndpoints.privateKeyJwt(p, assertions));
                                providers.replaceAll(p -> new FailedProofInvalidatesCode(p, authorizations));
                            })
                            .errorResponseHandler(new ClientAuthenticationFailureHandler()));
                    // RFC 8693 policy wraps Spring Authorization Server's own token exchange provider; the refresh
                    // grant and token exchange give no tokens from a sign-in lacking a factor the client requires now.
                    // RFC 8628 §3.5 polling rules (slow_down, redeemed codes) wrap SAS's device code provider, and
                    // the device code grant gives no tokens for an approval made without a required factor (item 2).
                    server.tokenEndpoint(token -> token.authenticationProviders(providers ->
                                    providers.replaceAll(p -> p instanceof OAuth2TokenExchangeAuthenticationProvider
                                            ? new TokenExchangeConstraints(authorizations, p, mfa)
                                            : p instanceof OAuth2RefreshTokenAuthenticationProvider
                                                    ? new RefreshGrantFactorCheck(authorizations, p, mfa)
                                                    : p instanceof OAuth2DeviceCodeAuthenticationProvider
                                                            ? new DevicePolling(
                                                                    authorizations,
                                                                    DeviceApprovalFactorCheck.wrap(
                                                                            p, authorizations, clients, missingFactor),
                                                                    jdbc,
                                                                    tx,
                                                                    clock)
                                                            : p)))
                            // Gatehouse's consent page; max_age and prompt=none checked after SAS's own checks.
                            .authorizationEndpoint(endpoint -> endpoint.consentPage(
                                            onIssuer(properties, ConsentController.CONSENT_PAGE))
                                    // RFC 9126 §4: only a request_uri this server issued (#13 item 3); FAPI 2.0
                                    // clients: a request_uri only (RFC 9126 §5).
                                    .authorizationRequestConverters(converters ->
                                            converters.replaceAll(c -> Fapi2Requests.authorizationEndpoint(
                                                    AuthorizationRequestParameters.requireRequestUriPrefix(c),
                                                    clients)))
                                    .authenticationProviders(providers -> providers.replaceAll(p -> {
                                        validateAuthorizationRequests(p, clock, missingFactor);
                                        return guardConsent(p, refusal, authorizations);
                                    })))
                            .oidc(oidc -> oidc.providerConfigurationEndpoint(
                                            endpoint -> endpoint.providerConfigurationCustomizer(config -> config.claim(
                                                            "acr_values_supported", acrValuesSupported(mfa))
                                                    .claims(discovery::customizeOidc)))
                                    // The error code in the body, not only a 400 error page.
                                    .logoutEndpoint(logout -> logout.errorResponseHandler(
                                                    // A valid hint for another session: the user is asked (§2).
                                                    RpLogoutSessionCheck.errorHandler(
                                                            new LogoutErrorResponseHandler(),
                                                            onIssuer(properties, "/logout")))
                                            // The id_token_hint's sid must be this session's (OIDC RP-Initiated
                                            // Logout 1.0 §2), checked on Gatehouse's sid; the session's relying
                                            // parties get logout tokens (OIDC Back-Channel Logout 1.0 §2.5).
                                            .authenticationProviders(
                                                    providers -> providers.replaceAll(RpLogoutSessionCheck::new))
                                            .logoutResponseHandler(RpLogoutSessionCheck.successHandler(backchannel))))
                            .pushedAuthorizationRequestEndpoint(par -> par.authenticationProviders(
                                    providers -> providers.forEach(SecurityConfiguration::validatePushedRequests)))
                            // RFC 8628 §3.2: the response says how often to poll (interval); its URIs are on the
                            // issuer, never on Host.
                            .deviceAuthorizationEndpoint(device ->
                                    device.deviceAuthorizationResponseHandler(new DeviceAuthorizationResponseHandler()))
                            // RFC 8628 §3.3: Gatehouse's code entry page, consent page and outcome messages.
                            .deviceVerificationEndpoint(device -> device.consentPage(
                                            onIssuer(properties, ConsentController.CONSENT_PAGE))
                                    // Cancel is access_denied (item 1); no device approval without the factors a
                                    // code approval needs (item 2).
                                    .authenticationProviders(
                                            providers -> providers.replaceAll(p -> DeviceApprovalFactorCheck.wrap(
                                                    guardConsent(p, refusal, authorizations),
                                                    authorizations,
                                                    clients,
                                                    missingFactor)))
                                    .deviceVerificationResponseHandler(DeviceVerificationController.successHandler())
                                    .errorResponseHandler(DeviceVerificationController.failureHandler()));
                })
                .authorizeHttpRequests(authorize -> authorize
                        // prompt=none must reach Spring Authorization Server without a session, which answers
                        // login_required at the redirect URI (OIDC Core 1.0 §3.1.2.6) and never issues a code to
                        // an anonymous principal. Without this the authorization filter would show the sign-in page.
                        .requestMatchers(parameters.promptNone())
                        .permitAll()
                        .requestMatchers(userInfo.metadataRequests())
                        .permitAll()
                        // Registration decides itself: open, or with an initial access token (RFC 7591 §3).
                        .requestMatchers(registration.requests())
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(userInfo::configure)
                // The registration URIs have CORS of their own (browser-based MCP clients), off by default.
                .cors(cors -> cors.configurationSource(protocolCors))
                // The device verification page is served under this chain: the same strict policy as every page.
                .headers(SecurityConfiguration::pageHeaders)
                // Only authorization and device verification requests are saved for after the sign-in (#13 item 5).
                .requestCache(cache -> cache.requestCache(sessions.requestCache()))
                // The first matching entry point wins: client endpoints answer 401 invalid_client whatever the
                // Accept header (curl's */* matched text/html and was sent to the sign-in page).
                .exceptionHandling(exceptions -> exceptions
                        // A refused form (stale CSRF token) gets an error page that says so (transport).
                        .accessDeniedHandler(new AccessDeniedPage())
                        .defaultAuthenticationEntryPointFor(
                                new ClientAuthenticationEntryPoint(), clientAuthenticatedEndpoints())
                        // UserInfo is an API: a Bearer challenge, never the sign-in page (RFC 6750 §3).
                        .defaultAuthenticationEntryPointFor(userInfo, UserInfoResource.userInfoRequests())
                        .defaultAuthenticationEntryPointFor(
                                new LoginUrlAuthenticationEntryPoint("/login"),
                                new MediaTypeRequestMatcher(MediaType.TEXT_HTML)))
                // Codes, consent and device approvals only after every required factor (issue #7).
                .addFilterAfter(
                        new MfaStepUpFilter(mfa, parameters, authorizeEndpoint, deviceVerificationEndpoint),
                        CsrfFilter.class)
                // A sign-in ended by an operator (reset, revocation, disabling) ends here too, on every node.
                .addFilterAfter(new SessionValidityFilter(signIns), SecurityContextHolderFilter.class)
                // An access token signs nobody in but at UserInfo: SAS's resource server reads it chain-wide.
                .addFilterBefore(
                        new AccessTokensOnlyAtUserInfo(UserInfoResource.userInfoRequests(), registration.requests()),
                        SecurityContextHolderFilter.class)
                // RFC 7592 client configuration (bearer registration access tokens, no session: before CSRF), and
                // 404 for the registration URIs while registration is off.
                .addFilterBefore(registration.configurationFilter(), CsrfFilter.class)
                // RFC 9449 §11.1: a DPoP proof at UserInfo, verified by Spring's DPoP authentication filter (an
                // AuthenticationFilter, the only one in this chain), is also refused when any node accepted it before.
                .addFilterAfter(new ProofReplayFilter(usedProofs), AuthenticationFilter.class)
                // Spring Authorization Server exempts its endpoints from CSRF checks; user-code entry needs one.
                .addFilterAfter(new DeviceVerificationGuard(), CsrfFilter.class)
                // prompt=login and max_age: a fresh sign-in (and second factor) before the code (OIDC Core §3.1.2.1).
                .addFilterBefore(
                        new ReauthenticationFilter(parameters, authorizeEndpoint, clock), AuthorizationFilter.class)
                // FAPI 2.0 clients at the token and PAR endpoints: private_key_jwt, and DPoP for every grant.
                .addFilterBefore(Fapi2Requests.filter(fapi2ClientAuthentication), AuthorizationFilter.class);
        if (passkeyOffer.enabled()) {
            // The optional passkey offer after a password sign-in (issue #16): after the step-up (every owed factor is
            // present) and after re-authentication (added after it at the same position, so it runs second).
            http.addFilterBefore(passkeyOffer.filter(parameters, authorizeEndpoint), AuthorizationFilter.class);
        }
        return http.build();
    }

    /**
     * {@code path} on the configured issuer, so Spring Authorization Server uses it as is; without a configured
     * issuer the path, which it completes from the request (as it derives the issuer itself then).
     */
    static String onIssuer(GatehouseProperties properties, String path) {
        String issuer = properties.configuredIssuer();
        if (issuer == null) {
            return path;
        }
        return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + path;
    }

    /** The endpoints where the caller is a client that must authenticate (RFC 6749 §2.3, RFC 9126 §2.1). */
    private static RequestMatcher clientAuthenticatedEndpoints() {
        return new OrRequestMatcher(List.of(
                        "/oauth2/token",
                        "/oauth2/introspect",
                        "/oauth2/revoke",
                        "/oauth2/par",
                        "/oauth2/device_authorization")
                .stream()
                .map(path -> (RequestMatcher) PathPatternRequestMatcher.pathPattern(path))
                .toList());
    }

    /** Spring Authorization Server's checks of authorization requests, then max_age and prompt=none. */
    private static void validateAuthorizationRequests(
            AuthenticationProvider provider, Clock clock, AuthenticationRequestValidator.MissingFactor missingFactor) {
        if (provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider code) {
            code.setAuthenticationValidator(
                    AuthenticationRequestValidator.forAuthorizationEndpoint(clock, missingFactor)
                            .afterDefaults());
        }
    }

    /**
     * Consent posts (code and device flow): one with no ticked scope is {@code access_denied} (RFC 6749 §4.1.2.1, RFC
     * 8628 §3.5) even when the user consented to other scopes of the client before ({@link ConsentRefusal}), and the
     * {@code state} must belong to the flow it is posted to ({@link ConsentStateGuard}). Other providers unchanged.
     */
    private static AuthenticationProvider guardConsent(
            AuthenticationProvider provider, ConsentRefusal refusal, OAuth2AuthorizationService authorizations) {
        if (provider instanceof OAuth2AuthorizationConsentAuthenticationProvider consent) {
            consent.setAuthorizationConsentCustomizer(refusal);
            return new ConsentStateGuard(authorizations, consent);
        }
        if (provider instanceof OAuth2DeviceAuthorizationConsentAuthenticationProvider device) {
            device.setAuthorizationConsentCustomizer(refusal);
            return new ConsentStateGuard(authorizations, device);
        }
        return provider;
    }

    /** Spring Authorization Server's checks of pushed authorization requests (RFC 9126), then max_age. */
    private static void validatePushedRequests(AuthenticationProvider provider) {
        if (provider instanceof OAuth2PushedAuthorizationRequestAuthenticationProvider pushed) {
            pushed.setAuthenticationValidator(AuthenticationRequestValidator.forPushedRequests()
                    .afterDefaults()
                    .andThen(Fapi2Requests::pushedRequest));
        }
    }

    /** The name of {@link #protocolCors}'s bean (the rate limiter asks for it by this name). */
    static final String PROTOCOL_CORS = "protocolCors";

    /**
     * CORS of the protocol endpoints: the registration URIs' own ({@link DynamicRegistration#cors}), the browser
     * client endpoints' ({@link #corsConfigurationSource}) otherwise. A bean, so that the rate limiter, which answers
     * before Spring Security's {@code CorsFilter}, gives its refusals the same CORS headers.
     */
    @Bean(PROTOCOL_CORS)
    CorsConfigurationSource protocolCors(GatehouseProperties properties, DynamicRegistration registration) {
        return registration.cors(corsConfigurationSource(properties));
    }

    /**
     * CORS for browser clients (the public SPA): only the back-channel endpoints a browser app calls, only the
     * configured exact origins, no cookies ({@code allowCredentials=false}): these endpoints authenticate by
     * client id + PKCE or bearer token, never by the user's session.
     */
    static CorsConfigurationSource corsConfigurationSource(GatehouseProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(List.copyOf(properties.server().corsAllowedOrigins()));
        cors.setAllowedMethods(List.of("GET", "POST"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "DPoP"));
        cors.setExposedHeaders(List.of("WWW-Authenticate", "DPoP-Nonce"));
        cors.setAllowCredentials(false);
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        for (String path : List.of(
                "/oauth2/token",
                "/oauth2/revoke",
                "/oauth2/jwks",
                "/userinfo",
                "/.well-known/openid-configuration",
                "/.well-known/oauth-authorization-server")) {
            source.registerCorsConfiguration(path, cors);
        }
        return source;
    }

    /**
     * The {@code acr} values a sign-in here can reach (OIDC Discovery 1.0 §3): the phishing-resistant one only while
     * passkeys are offered, since nothing else can meet it.
     */
    static List<String> acrValuesSupported(MfaPolicy mfa) {
        return mfa.passkeysOffered()
                ? List.of(MfaPolicy.ACR_PASSWORD, MfaPolicy.ACR_MFA, MfaPolicy.ACR_PHISHING_RESISTANT)
                : List.of(MfaPolicy.ACR_PASSWORD, MfaPolicy.ACR_MFA);
    }

    @Bean
    @Order(2)
    SecurityFilterChain loginChain(
            HttpSecurity http,
            GatehouseProperties properties,
            SignInSessions signIns,
            SessionLimits sessions,
            ObjectProvider<PasskeyRelyingPartySettings> passkeySettings,
            ObjectProvider<WebAuthnRelyingPartyOperations> relyingParty,
            JdbcUserStore users,
            AuditLog audit,
            Clock clock,
            PasskeyRegistrationGuard passkeyRegistrationGuard,
            Passkeys storedPasskeys,
            ObjectProvider<TimedRequestOptionsRepository> passkeyRequestOptions,
            BackchannelLogout backchannel)
            throws Exception {
        @Nullable WebAuthnRelyingPartyOperations passkeys = relyingParty.getIfAvailable();
        @Nullable PasskeyRelyingPartySettings settings = passkeySettings.getIfAvailable();
        @Nullable TimedRequestOptionsRepository requestOptions = passkeyRequestOptions.getIfAvailable();
        boolean offered = false;
        if (passkeys != null && settings != null && requestOptions != null) {
            offered = true;
            passkeySignIn(
                    http,
                    properties,
                    settings,
                    new PasskeyAuthenticationProvider(passkeys, storedPasskeys, users, audit, clock),
                    requestOptions);
        }
        // Preflight requests (OPTIONS) to the protocol endpoints do not match the first chain; answer them here.
        http.cors(cors -> cors.configurationSource(corsConfigurationSource(properties)))
                .authorizeHttpRequests(authorize -> authorize
                        // The sign-in page with any query (?error, ?logout): formLogin's permitAll() covers
                        // ?error only through a failure URL, which the failure handler below replaces.
                        .requestMatchers("/error", "/login")
                        .permitAll()
                        // The pages' stylesheet and images (static/assets), the same for everyone.
                        .requestMatchers("/assets/**")
                        .permitAll()
                        // The e-mail flows' public pages (registration.*; each answers 404 while its flow is off).
                        // /account/email is not among them: changing an address needs a sign-in.
                        // Spring's passkey removal (DELETE /webauthn/register/{id}) is refused: passkeys are
                        // removed at the account pages (audited, and only with fresh factors).
                        .requestMatchers(HttpMethod.DELETE, "/webauthn/register/**")
                        .denyAll()
                        .requestMatchers(
                                "/register",
                                "/register/verify",
                                "/password/forgot",
                                "/password/reset",
                                "/email/confirm")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                // After sign-in, the saved request resumes on the issuer, not on the request's Host header.
                // A failed sign-in keeps nothing in the session: the stored exception would hold the typed password.
                .formLogin(form -> form.loginPage("/login")
                        // The client address for the audit and attempt limits, not the pre-sign-in session id
                        // Spring Security's details also keep: the sign-in is stored in the shared session table.
                        .authenticationDetailsSource(
                                request -> new WebAuthenticationDetails(request.getRemoteAddr(), null))
                        .successHandler(new SavedRequestRedirect(properties.configuredIssuer()))
                        .failureHandler(new SignInFailureRedirect())
                        .permitAll())
                // POST /logout (CSRF-protected) ends the session; its landing page, /login?logout, must be public.
                // Before the session is invalidated: its relying parties get logout tokens (OIDC Back-Channel
                // Logout 1.0 §2.5), queued only, never sent on this thread.
                .logout(logout -> logout.permitAll()
                        .addLogoutHandler(RpLogoutSessionCheck.backchannel(backchannel))
                        // On to the relying party whose logout request the user confirmed (RP-Initiated Logout §2).
                        .logoutSuccessHandler(RpLogoutSessionCheck.afterConfirmation("/login?logout")))
                // A form posted with a stale CSRF token (a sign-in form left open) is told apart on the error page.
                .exceptionHandling(exceptions -> exceptions.accessDeniedHandler(new AccessDeniedPage()))
                .addFilterAfter(new SessionValidityFilter(signIns), SecurityContextHolderFilter.class)
                // Spring's passkey registration endpoints only for a fresh account session or a sign-in that owes a
                // passkey; its DELETE refused (the account page removes). Before Spring's options filter.
                .addFilterAfter(passkeyRegistrationGuard, ExceptionTranslationFilter.class)
                // No saved request for any other path: an anonymous visit creates no session (#13 item 5).
                .requestCache(cache -> cache.requestCache(sessions.requestCache()))
                // The short anonymous session lifetime ends at sign-in, then the signed-in state moves to a new
                // session (new row) and the pre-sign-in one is deleted: changing the id of a shared row is undone by
                // any concurrent request that saves its stale copy under the old id (session fixation).
                .sessionManagement(session -> session.addSessionAuthenticationStrategy(sessions.signedInTimeout())
                        .sessionFixation(fixation -> fixation.migrateSession()))
                .headers(SecurityConfiguration::pageHeaders);
        DefaultSecurityFilterChain chain = http.build();
        if (offered && requestOptions != null) {
            useRequestOptions(chain, requestOptions);
        }
        return chain;
    }

    /**
     * The sign-in options' challenges expire (WebAuthn Level 3 §13.4.3): Spring's configurer builds its request-options
     * filter without an object post-processor, so the timed repository is given to it in the built chain; the
     * sign-in filter gets the same one through its post-processor. Fails closed: a chain without the filter when
     * passkeys are offered does not start.
     */
    private static void useRequestOptions(DefaultSecurityFilterChain chain, TimedRequestOptionsRepository options) {
        boolean found = false;
        for (Filter filter : chain.getFilters()) {
            if (filter instanceof PublicKeyCredentialRequestOptionsFilter requestOptions) {
                requestOptions.setRequestOptionsRepository(options);
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException("passkeys are offered but the sign-in chain has no request options filter");
        }
    }

    /**
     * Passkeys (WebAuthn Level 3, issue #16) on Spring Security's own support, when they are offered: the request
     * options ({@code POST /webauthn/authenticate/options}), the sign-in ({@code POST /login/webauthn}) and the
     * registration endpoints, over the {@code passkeys} package's relying party and repositories (Spring's configurer
     * finds them by type; it needs a {@link UserDetailsService} too, given as the chain's shared object). Spring's
     * registration page is off (the account pages register). The sign-in filter: a passkey after the password merges
     * the factors (same user only, {@link PasskeyAuthenticationProvider}); it shares the form's session handling
     * (sign-in timeout, a new session on sign-in against fixation, CSRF token renewal) and security context store; it
     * answers JSON, resuming the saved request on the configured issuer.
     */
    private static void passkeySignIn(
            HttpSecurity http,
            GatehouseProperties properties,
            PasskeyRelyingPartySettings settings,
            PasskeyAuthenticationProvider provider,
            TimedRequestOptionsRepository requestOptions)
            throws Exception {
        http.setSharedObject(UserDetailsService.class, provider.userDetailsService());
        ProviderManager manager = new ProviderManager(provider);
        http.webAuthn(webAuthn -> webAuthn.rpId(settings.rpId())
                .rpName(settings.rpName())
                .allowedOrigins(Set.copyOf(settings.allowedOrigins()))
                .disableDefaultRegistrationPage(true)
                .withObjectPostProcessor(new ObjectPostProcessor<WebAuthnAuthenticationFilter>() {
                    @Override
                    public <O extends WebAuthnAuthenticationFilter> O postProcess(O filter) {
                        filter.setAuthenticationManager(manager);
                        filter.setMfaEnabled(true);
                        filter.setRequestOptionsRepository(requestOptions);
                        filter.setAuthenticationSuccessHandler(
                                PasskeySignInResponses.success(properties.configuredIssuer()));
                        filter.setAuthenticationFailureHandler(PasskeySignInResponses.failure());
                        @Nullable
                        SessionAuthenticationStrategy strategy =
                                http.getSharedObject(SessionAuthenticationStrategy.class);
                        if (strategy == null) {
                            // Fail closed: never a sign-in that keeps the pre-sign-in session id.
                            throw new IllegalStateException("no session authentication strategy for passkey sign-in");
                        }
                        filter.setSessionAuthenticationStrategy(strategy);
                        @Nullable
                        SecurityContextRepository contexts = http.getSharedObject(SecurityContextRepository.class);
                        if (contexts != null) {
                            filter.setSecurityContextRepository(contexts);
                        }
                        return filter;
                    }
                }));
    }

    /**
     * Headers on every response of both chains: the page CSP, no {@code Referer} leaving the server (authorization
     * requests and consent pages carry state, codes and client ids in their URLs), and no browser features; the
     * passkey ceremonies only on the pages that run them ({@link PermissionsPolicyHeaderWriter}).
     */
    private static void pageHeaders(HeadersConfigurer<HttpSecurity> headers) {
        headers.contentSecurityPolicy(csp -> csp.policyDirectives(PAGE_CSP))
                .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                .addHeaderWriter(new PermissionsPolicyHeaderWriter());
    }
}
