package dev.gatehouse.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The passkey ceremonies allowed only on the pages that run them (WebAuthn Level 3 §5.9, §5.10). */
class PermissionsPolicyHeaderWriterTests {

    private final PermissionsPolicyHeaderWriter writer = new PermissionsPolicyHeaderWriter();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/login",
                "/mfa/passkey",
                "/mfa/passkey/register",
                "/account/confirm",
                "/account/passkeys",
                "/account/passkeys/remove",
                "/passkeys/offer"
            })
    void writeHeadersWhenPasskeyPageThenCeremoniesForThisOriginOnly(String path) {
        String policy = policyOf(path);
        assertThat(policy)
                .contains("publickey-credentials-get=(self)", "publickey-credentials-create=(self)")
                .contains("camera=()", "usb=()");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/account",
                "/account/two-step",
                "/mfa/totp",
                "/oauth2/authorize",
                "/oauth2/token",
                "/oauth2/consent",
                "/.well-known/openid-configuration",
                "/register",
                "/loginx",
                "/passkeys/offer/x"
            })
    void writeHeadersWhenAnyOtherResponseThenNoCeremony(String path) {
        assertThat(policyOf(path))
                .contains("publickey-credentials-get=()", "publickey-credentials-create=()", "camera=()")
                .doesNotContain("(self)");
    }

    private String policyOf(String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        MockHttpServletResponse response = new MockHttpServletResponse();
        writer.writeHeaders(request, response);
        return response.getHeader(PermissionsPolicyHeaderWriter.HEADER);
    }
}
