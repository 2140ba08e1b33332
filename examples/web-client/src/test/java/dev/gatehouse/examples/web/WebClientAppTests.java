package dev.gatehouse.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oidcLogin;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationExchange;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriComponentsBuilder;

@SpringBootTest(properties = "spring.security.oauth2.client.registration.gatehouse.client-secret=test-secret")
@AutoConfigureMockMvc
class WebClientAppTests {

    @Autowired
    MockMvc mvc;

    @Test
    void signInWhenStartedThenRedirectsToAuthServerWithPkceS256() throws Exception {
        String location = mvc.perform(get("/oauth2/authorization/gatehouse"))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");

        var params = UriComponentsBuilder.fromUri(URI.create(location)).build().getQueryParams();
        assertThat(location).startsWith("http://localhost:9000/oauth2/authorize?");
        assertThat(params.getFirst("response_type")).isEqualTo("code");
        assertThat(params.getFirst("client_id")).isEqualTo("gatehouse-demo-service");
        assertThat(params.getFirst("code_challenge_method")).isEqualTo("S256");
        assertThat(params.getFirst("code_challenge")).hasSize(43);
        assertThat(params.getFirst("state")).isNotBlank();
        assertThat(params.getFirst("nonce")).isNotBlank();
    }

    @Test
    void meWhenNotSignedInThenSentToSignIn() throws Exception {
        mvc.perform(get("/me")).andExpect(status().is3xxRedirection());
    }

    @Test
    void meWhenClaimsContainMarkupThenEncodedAndPageHasStrictCsp() throws Exception {
        String html = mvc.perform(get("/me")
                        .with(oidcLogin().idToken(t -> t.subject("alice").claim("name", "<script>alert(1)</script>"))))
                .andExpect(status().isOk())
                .andExpect(header().string(
                                "Content-Security-Policy", org.hamcrest.Matchers.containsString("default-src 'none'")))
                .andReturn()
                .getResponse()
                .getContentAsString();

        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
    }

    @Autowired
    RestClient.Builder restClients;

    @Autowired
    ObservationRegistry observations;

    /**
     * The code exchange goes through Boot's observed builder: a token request made while the callback is being handled
     * carries the callback's trace in {@code traceparent} (W3C Trace Context §3.2), sampled or not, so auth-server's
     * token endpoint span joins the web client's trace (issue #19).
     */
    @Test
    void tokenClientWhenCalledInsideAnObservedRequestThenSendsItsTraceparent() throws Exception {
        AtomicReference<String> traceparent = new AtomicReference<>();
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/oauth2/token", exchange -> {
            traceparent.set(exchange.getRequestHeaders().getFirst("traceparent"));
            byte[] body = "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":60}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        stub.start();
        try {
            String base = "http://127.0.0.1:" + stub.getAddress().getPort();
            ClientRegistration registration = ClientRegistration.withRegistrationId("t")
                    .clientId("c")
                    .clientSecret("s")
                    .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                    .redirectUri("http://127.0.0.1/cb")
                    .authorizationUri(base + "/oauth2/authorize")
                    .tokenUri(base + "/oauth2/token")
                    .build();
            OAuth2AuthorizationExchange exchange = new OAuth2AuthorizationExchange(
                    OAuth2AuthorizationRequest.authorizationCode()
                            .authorizationUri(base + "/oauth2/authorize")
                            .clientId("c")
                            .redirectUri("http://127.0.0.1/cb")
                            .state("st")
                            .build(),
                    OAuth2AuthorizationResponse.success("the-code")
                            .redirectUri("http://127.0.0.1/cb")
                            .state("st")
                            .build());
            Observation callback = Observation.start("callback", observations);
            try (Observation.Scope scope = callback.openScope()) {
                assertThat(WebClientApp.tokenClient(restClients)
                                .getTokenResponse(new OAuth2AuthorizationCodeGrantRequest(registration, exchange))
                                .getAccessToken()
                                .getTokenValue())
                        .isEqualTo("at");
            } finally {
                callback.stop();
            }
            assertThat(traceparent.get()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        } finally {
            stub.stop(0);
        }
    }
}
