package dev.gatehouse.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oidcLogin;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
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
}
