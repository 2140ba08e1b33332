package dev.gatehouse.spring.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.ResultMatcher;

/**
 * A {@code Host} header the client chose: no absolute URL of a response may name it (URLs come from
 * configuration only).
 */
public final class ForeignHost {

    /** The host a request claims. */
    public static final String HOST = "evil.example";

    private ForeignHost() {}

    /**
     * No header value and no body byte of the response names {@link #HOST}.
     *
     * @return the matcher
     */
    public static ResultMatcher notEchoed() {
        return result -> {
            MockHttpServletResponse response = result.getResponse();
            for (String name : response.getHeaderNames()) {
                assertThat(response.getHeaders(name)).as(name).noneMatch(v -> v.contains(HOST));
            }
            assertThat(response.getContentAsString(StandardCharsets.UTF_8)).doesNotContain(HOST);
        };
    }
}
