package dev.gatehouse.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Fuzz target for the redirect URIs an administrator registers (the admin API's {@code redirectUris}): {@link
 * RedirectUriRules#problem} never throws, and what it lets through is an absolute https URI, or http on a loopback IP
 * literal, with a host and no user information, fragment or wildcard. Corpus: {@code RedirectUriRulesFuzzTestsInputs/}.
 */
class RedirectUriRulesFuzzTests {

    @FuzzTest(maxDuration = "2m")
    void problemWhenArbitraryUriThenNeverThrowsAndLetsThroughOnlyHttpsOrLoopbackHttp(FuzzedDataProvider data) {
        String value = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        Optional<String> problem = RedirectUriRules.problem(value);

        if (problem.isPresent()) {
            return;
        }
        assertThat(value).doesNotContain("*").doesNotContain("#");
        URI uri = URI.create(value);
        assertThat(uri.isAbsolute()).isTrue();
        assertThat(uri.isOpaque()).isFalse();
        assertThat(uri.getRawUserInfo()).isNull();
        assertThat(uri.getHost()).isNotEmpty();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http")) {
            assertThat(uri.getHost()).isIn("127.0.0.1", "[::1]");
        } else {
            assertThat(scheme).isEqualTo("https");
        }
    }
}
