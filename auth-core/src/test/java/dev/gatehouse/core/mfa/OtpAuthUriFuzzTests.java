package dev.gatehouse.core.mfa;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz targets for {@code otpauth} URIs: the issuer and account name (a user's e-mail, an operator's setting) and the
 * Base32 secret (typed or imported) are outside input. A label part is refused with an {@link MfaException} or ends up
 * in a URI that reads back as exactly that issuer and account with nothing injected; a secret is refused or is plain
 * RFC 4648 Base32 that round-trips. Corpus: {@code OtpAuthUriFuzzTestsInputs/}.
 */
class OtpAuthUriFuzzTests {

    private static final TotpSecret SECRET = TotpSecret.of(new byte[20]);

    /** An issuer line and an account (split at the first newline). */
    @FuzzTest(maxDuration = "2m")
    void totpWhenArbitraryLabelThenMfaExceptionOrAUriThatReadsBackExactly(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String issuer = newline < 0 ? text : text.substring(0, newline);
        String account = newline < 0 ? "alice@example.com" : text.substring(newline + 1);

        String uri;
        try {
            uri = OtpAuthUri.totp(issuer, account, SECRET, TotpParameters.defaults());
        } catch (MfaException refused) {
            assertThat(refused.reason()).isEqualTo(MfaException.Reason.INVALID_LABEL);
            return;
        }
        URI parsed = URI.create(uri);
        assertThat(parsed.getScheme()).isEqualTo("otpauth");
        assertThat(parsed.getHost()).isEqualTo("totp");
        assertThat(parsed.getRawFragment()).isNull();
        String label = parsed.getRawPath().substring(1);
        assertThat(label.chars().filter(c -> c == ':').count()).isOne();
        assertThat(decode(label.substring(0, label.indexOf(':')))).isEqualTo(issuer);
        assertThat(decode(label.substring(label.indexOf(':') + 1))).isEqualTo(account);
        List<String> names = Arrays.stream(parsed.getRawQuery().split("&"))
                .map(p -> p.substring(0, p.indexOf('=')))
                .toList();
        assertThat(names).containsExactly("secret", "issuer", "algorithm", "digits", "period");
        assertThat(decode(parsed.getRawQuery().split("&")[1].substring("issuer=".length())))
                .isEqualTo(issuer);
    }

    @FuzzTest(maxDuration = "2m")
    void fromBase32WhenArbitraryTextThenMfaExceptionOrPlainBase32ThatRoundTrips(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        TotpSecret secret;
        try {
            secret = TotpSecret.fromBase32(text);
        } catch (MfaException refused) {
            assertThat(refused.reason()).isEqualTo(MfaException.Reason.INVALID_SECRET);
            return;
        }
        // Documented leniency: case, spaces, dashes and trailing padding; every other character is refused.
        assertThat(text).matches("[A-Za-z2-7 =-]*");
        assertThat(secret.base32())
                .isEqualTo(text.replace(" ", "")
                        .replace("-", "")
                        .replaceAll("=+$", "")
                        .toUpperCase(java.util.Locale.ROOT));
        assertThat(TotpSecret.fromBase32(secret.base32()).bytes()).isEqualTo(secret.bytes());
    }

    private static String decode(String percentEncoded) {
        // The URI never uses '+' for a space (RFC 3986), so a literal '+' must survive decoding.
        return URLDecoder.decode(percentEncoded.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
