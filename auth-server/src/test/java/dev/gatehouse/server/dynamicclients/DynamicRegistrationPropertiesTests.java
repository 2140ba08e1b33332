package dev.gatehouse.server.dynamicclients;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class DynamicRegistrationPropertiesTests {

    static DynamicRegistrationProperties with(List<String> grants, List<String> methods, List<String> resources) {
        return new DynamicRegistrationProperties(
                true,
                DynamicRegistrationProperties.Mode.OPEN,
                grants,
                methods,
                List.of("openid"),
                resources,
                100,
                10,
                16384,
                1000,
                10,
                List.of());
    }

    @Test
    void constructorWhenMethodNotOfferedByServerThenRefusedAtStart() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> with(List.of("authorization_code"), List.of("tls_client_auth"), List.of()))
                .withMessageContaining("tls_client_auth");
    }

    @Test
    void constructorWhenGrantNotRegistrableThenRefusedAtStart() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> with(List.of("password"), List.of("none"), List.of()))
                .withMessageContaining("password");
    }

    @Test
    void constructorWhenResourceNotAbsoluteOrWithFragmentThenRefusedAtStart() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> with(List.of("authorization_code"), List.of("none"), List.of("/api")))
                .withMessageContaining("RFC 8707");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> with(List.of("authorization_code"), List.of("none"), List.of("https://a.test/#f")))
                .withMessageContaining("RFC 8707");
    }
}
