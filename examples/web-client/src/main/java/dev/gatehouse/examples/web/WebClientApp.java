package dev.gatehouse.examples.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.owasp.encoder.Encode;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientPropertiesMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.annotation.RegisteredOAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * Signs users in against Gatehouse's auth-server with the authorization code flow and PKCE (S256, also for
 * this confidential client: OAuth 2.1), shows the ID token's claims, and calls the example resource server with
 * the access token. Every value from the token or the API is HTML-encoded (OWASP Java Encoder) before it is
 * written into the page. Run: {@code java -jar examples/web-client/target/web-client.jar}, then open
 * http://127.0.0.1:8081/.
 */
@SpringBootApplication
@EnableConfigurationProperties(OAuth2ClientProperties.class)
public class WebClientApp {

    /**
     * Starts the web client on 127.0.0.1:8081.
     *
     * @param args Spring Boot arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(WebClientApp.class, args);
    }

    @Bean
    SecurityFilterChain web(HttpSecurity http, ClientRegistrationRepository registrations) throws Exception {
        DefaultOAuth2AuthorizationRequestResolver resolver =
                new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");
        resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        http.authorizeHttpRequests(
                        a -> a.requestMatchers("/").permitAll().anyRequest().authenticated())
                .oauth2Login(o -> o.authorizationEndpoint(e -> e.authorizationRequestResolver(resolver)))
                // OIDC Back-Channel Logout 1.0: Gatehouse posts a logout token to
                // /logout/connect/back-channel/gatehouse when the user's session there ends; this app's session for
                // it ends too (matched by the ID token's sid).
                .oidcLogout(o -> o.backChannel(Customizer.withDefaults()))
                .logout(Customizer.withDefaults())
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(
                                "default-src 'none'; style-src 'self'; frame-ancestors 'none'; form-action 'self'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    /**
     * The registrations of application.yml with the issuer set: a logout token's {@code iss} is checked against it
     * (OIDC Back-Channel Logout 1.0 §2.6). Boot's {@code issuer-uri} would fetch discovery at start-up, and the app
     * must start before the server; so the endpoints stay spelled out and only the issuer is added here.
     */
    @Bean
    ClientRegistrationRepository clientRegistrationRepository(
            OAuth2ClientProperties properties, @Value("${gatehouse.issuer}") String issuer) {
        List<ClientRegistration> registrations = new ArrayList<>();
        new OAuth2ClientPropertiesMapper(properties)
                .asClientRegistrations()
                .values()
                .forEach(r -> registrations.add(ClientRegistration.withClientRegistration(r)
                        .issuerUri(issuer)
                        .build()));
        return new InMemoryClientRegistrationRepository(registrations);
    }

    @RestController
    static class Pages {

        private final RestClient api;

        Pages(@Value("${gatehouse.api}") String apiBase) {
            this.api = RestClient.builder().baseUrl(apiBase).build();
        }

        @GetMapping(value = "/", produces = MediaType.TEXT_HTML_VALUE)
        String home() {
            return page("Gatehouse web client", "<p><a href=\"/me\">Sign in with Gatehouse</a></p>");
        }

        @GetMapping(value = "/me", produces = MediaType.TEXT_HTML_VALUE)
        String me(@AuthenticationPrincipal OidcUser user, org.springframework.security.web.csrf.CsrfToken csrf) {
            StringBuilder rows = new StringBuilder();
            for (Map.Entry<String, Object> claim :
                    new TreeMap<>(user.getIdToken().getClaims()).entrySet()) {
                rows.append("<tr><th>")
                        .append(Encode.forHtml(claim.getKey()))
                        .append("</th><td>")
                        .append(Encode.forHtml(String.valueOf(claim.getValue())))
                        .append("</td></tr>");
            }
            return page(
                    "Signed in as " + user.getSubject(),
                    "<h2>ID token claims</h2><table id=\"claims\">" + rows
                            + "</table><p><a id=\"read\" href=\"/documents/d-1\">"
                            + "Read document d-1 through the API</a></p>"
                            + "<p><a id=\"read-classified\" href=\"/documents/d-4\">"
                            + "Read the classified document d-4 through the API</a></p>"
                            + "<form method=\"post\" action=\"/documents/d-3/delete\"><input type=\"hidden\" name=\"_csrf\" value=\""
                            + Encode.forHtmlAttribute(csrf.getToken())
                            + "\"><button id=\"delete\">Delete the locked document d-3"
                            + " through the API</button></form>"
                            + "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"_csrf\" value=\""
                            + Encode.forHtmlAttribute(csrf.getToken()) + "\"><button>Sign out</button></form>");
        }

        @GetMapping(value = "/documents/{id}", produces = MediaType.TEXT_HTML_VALUE)
        String document(
                @org.springframework.web.bind.annotation.PathVariable String id,
                @RegisteredOAuth2AuthorizedClient("gatehouse") OAuth2AuthorizedClient client) {
            if (!id.matches("[a-z0-9-]{1,32}")) {
                return page("API answer", "<pre id=\"answer\">400 (bad document id)</pre>");
            }
            String body;
            try {
                body = "200 "
                        + api.get()
                                .uri("/documents/{id}", id)
                                .header(
                                        HttpHeaders.AUTHORIZATION,
                                        "Bearer " + client.getAccessToken().getTokenValue())
                                .retrieve()
                                .body(String.class);
            } catch (RestClientResponseException e) {
                body = e.getStatusCode().value() + " (the API's policy answered)";
            }
            return page(
                    "API answer",
                    "<pre id=\"answer\">" + Encode.forHtml(body) + "</pre><p><a href=\"/me\">Back</a></p>");
        }

        @org.springframework.web.bind.annotation.PostMapping(
                value = "/documents/{id}/delete",
                produces = MediaType.TEXT_HTML_VALUE)
        String delete(
                @org.springframework.web.bind.annotation.PathVariable String id,
                @RegisteredOAuth2AuthorizedClient("gatehouse") OAuth2AuthorizedClient client) {
            if (!id.matches("[a-z0-9-]{1,32}")) {
                return page("API answer", "<pre id=\"answer\">400 (bad document id)</pre>");
            }
            String body;
            try {
                api.delete()
                        .uri("/documents/{id}", id)
                        .header(
                                HttpHeaders.AUTHORIZATION,
                                "Bearer " + client.getAccessToken().getTokenValue())
                        .retrieve()
                        .toBodilessEntity();
                body = "200 deleted";
            } catch (RestClientResponseException e) {
                body = e.getStatusCode().value() + " (the API's policy answered)";
            }
            return page(
                    "API answer",
                    "<pre id=\"answer\">" + Encode.forHtml(body) + "</pre><p><a href=\"/me\">Back</a></p>");
        }

        private static String page(String title, String bodyHtml) {
            return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + Encode.forHtml(title)
                    + "</title></head><body><h1>" + Encode.forHtml(title) + "</h1>" + bodyHtml + "</body></html>";
        }
    }
}
