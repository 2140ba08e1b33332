package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.server.audit.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;

class RegistrationRequestsTests {

    @Test
    void convertWhenContentTypeMalformedThenInvalidRequestAndAuditedAsRefused() {
        List<AuditEvent> events = new ArrayList<>();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/register");
        request.setContentType("application/");
        request.setContent("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        OAuth2AuthenticationException e = catchThrowableOfType(
                OAuth2AuthenticationException.class,
                () -> new RegistrationRequests(4096, events::add).convert(request));
        assertThat(e.getError().getErrorCode()).isEqualTo("invalid_request");
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo("client.register");
            assertThat(event.outcome()).isEqualTo(AuditEvent.DENIED);
            assertThat(event.details()).containsEntry("error", "invalid_request");
        });
    }
}
