package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for access requests in JSON or YAML (the shape of {@link AccessRequest#toMap()}, read by {@link
 * PolicyDocuments#readRequest}): refused with a {@link PolicyException}, or a request that survives its own round trip.
 * Corpus: {@code AccessRequestFuzzTestsInputs/}.
 */
class AccessRequestFuzzTests {

    @FuzzTest(maxDuration = "2m")
    void fromMapWhenArbitraryTextThenPolicyExceptionOrARequestThatRoundTrips(FuzzedDataProvider data) {
        String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);

        AccessRequest request;
        try {
            request = AccessRequest.fromMap(PolicyDocuments.parse(text, "request.json"));
        } catch (PolicyException refused) {
            assertThat(refused.reason())
                    .isIn(PolicyException.Reason.INVALID_POLICY, PolicyException.Reason.INVALID_REQUEST);
            return;
        }
        assertThat(request.subject().id()).isNotBlank();
        assertThat(request.action()).isNotBlank();
        assertThat(request.resource().type()).isNotBlank();
        assertThat(AccessRequest.fromMap(request.toMap())).isEqualTo(request);
    }
}
