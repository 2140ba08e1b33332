package dev.gatehouse.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

class RateLimitKeysTests {

    @Test
    void clientIdFromBasicWhenWellFormedThenIdWithoutLookingAtSecret() {
        assertThat(RateLimitKeys.clientIdFromBasic(basic("client-1:s3cret:with:colons")))
                .isEqualTo("client-1");
    }

    @Test
    void clientIdFromBasicWhenSchemeInOtherCaseThenAccepted() {
        // RFC 9110 §11.1: the authentication scheme is case-insensitive.
        String header = basic("client-1:x").replace("Basic", "bAsIc");
        assertThat(RateLimitKeys.clientIdFromBasic(header)).isEqualTo("client-1");
    }

    @Test
    void clientIdFromBasicWhenPaddingMissingThenAcceptedLikeSpringAuthorizationServer() {
        // java.util.Base64 (which Spring Authorization Server's Basic converter uses too) does not require '='.
        assertThat(RateLimitKeys.clientIdFromBasic("Basic Y2xpZW50LTE6cw")).isEqualTo("client-1");
    }

    @Test
    void clientIdFromBasicWhenFormEncodedThenDecoded() {
        // RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded before Basic encoding.
        assertThat(RateLimitKeys.clientIdFromBasic(basic("my+client%3Aone:x"))).isEqualTo("my client:one");
    }

    @Test
    void clientIdFromBasicWhenUtf8ThenDecoded() {
        assertThat(RateLimitKeys.clientIdFromBasic(basic("kl%C3%BCnt:x"))).isEqualTo("klünt");
        assertThat(RateLimitKeys.clientIdFromBasic(basic("klünt:x"))).isEqualTo("klünt");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Basic",
                "Basic ",
                "Basic %%%not-base64",
                "Basic !!",
                "Basic Y2xpZW50",
                "Basic OnNlY3JldA==",
                "Basicx Y2xpZW50LTE6cw==",
                "Bearer Y2xpZW50LTE6cw=="
            })
    void clientIdFromBasicWhenMalformedThenNull(String header) {
        assertThat(RateLimitKeys.clientIdFromBasic(header)).isNull();
    }

    @Test
    void clientIdFromBasicWhenNotUtf8ThenNull() {
        byte[] latin1 = "kl\u00fcnt:x".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RateLimitKeys.clientIdFromBasic(
                        "Basic " + Base64.getEncoder().encodeToString(latin1)))
                .isNull();
    }

    @Test
    void clientIdFromBasicWhenBadPercentEncodingThenNull() {
        assertThat(RateLimitKeys.clientIdFromBasic(basic("bad%zzid:x"))).isNull();
        assertThat(RateLimitKeys.clientIdFromBasic(basic("bad%:x"))).isNull();
    }

    @Test
    void clientIdFromBasicWhenOverlongThenNull() {
        assertThat(RateLimitKeys.clientIdFromBasic(basic("a".repeat(RateLimitKeys.MAX_CLIENT_ID_LENGTH) + ":x")))
                .hasSize(RateLimitKeys.MAX_CLIENT_ID_LENGTH);
        assertThat(RateLimitKeys.clientIdFromBasic(basic("a".repeat(RateLimitKeys.MAX_CLIENT_ID_LENGTH + 1) + ":x")))
                .isNull();
    }

    @Test
    void clientIdWhenBasicHeaderThenHeaderWins() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
        request.addHeader("Authorization", basic("from-header:x"));
        request.addParameter("client_id", "from-parameter");
        assertThat(RateLimitKeys.clientId(request)).isEqualTo("from-header");
    }

    @Test
    void clientIdWhenBasicHeaderMalformedThenNullNotParameter() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
        request.addHeader("Authorization", "Basic %%%");
        request.addParameter("client_id", "from-parameter");
        assertThat(RateLimitKeys.clientId(request)).isNull();
    }

    @Test
    void clientIdWhenNoBasicHeaderThenParameter() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
        request.addHeader("Authorization", "DPoP eyJ");
        request.addParameter("client_id", "from-parameter");
        assertThat(RateLimitKeys.clientId(request)).isEqualTo("from-parameter");
    }

    @Test
    void clientIdWhenNothingThenNull() {
        assertThat(RateLimitKeys.clientId(new MockHttpServletRequest("POST", "/oauth2/token")))
                .isNull();
        MockHttpServletRequest empty = new MockHttpServletRequest("POST", "/oauth2/token");
        empty.addParameter("client_id", "");
        assertThat(RateLimitKeys.clientId(empty)).isNull();
    }

    @Test
    void addressWhenIpv4ThenAsIs() {
        assertThat(RateLimitKeys.address("192.0.2.7")).isEqualTo("192.0.2.7");
    }

    @Test
    void addressWhenIpv6ThenSlash64Prefix() {
        String a = RateLimitKeys.address("2001:db8:1:2:3:4:5:6");
        assertThat(a).isEqualTo("20010db800010002::/64");
        assertThat(RateLimitKeys.address("2001:db8:1:2:ffff::1")).isEqualTo(a);
        assertThat(RateLimitKeys.address("2001:0db8:0001:0002:0:0:0:0")).isEqualTo(a);
        assertThat(RateLimitKeys.address("2001:db8:1:3::1")).isNotEqualTo(a);
        assertThat(RateLimitKeys.address("fe80::1%eth0")).isEqualTo("fe80000000000000::/64");
    }

    @Test
    void addressWhenIpv4MappedThenIpv4() {
        assertThat(RateLimitKeys.address("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "unix:/run/socket", "not-an-address", "host.example:80", ":::::::::::"})
    void addressWhenNotAnIpLiteralThenAsIsAndNoLookup(String remote) {
        assertThat(RateLimitKeys.address(remote)).isEqualTo(remote);
    }

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
