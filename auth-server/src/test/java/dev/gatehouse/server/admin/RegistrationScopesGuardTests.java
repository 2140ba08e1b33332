package dev.gatehouse.server.admin;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.gatehouse.server.dynamicclients.DynamicRegistrationProperties;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationScopesGuardTests {

    static DynamicRegistrationProperties registration(List<String> scopes) {
        return new DynamicRegistrationProperties(
                true,
                DynamicRegistrationProperties.Mode.OPEN,
                List.of("authorization_code", "client_credentials"),
                List.of("client_secret_basic"),
                scopes,
                List.of(),
                100,
                10,
                16384,
                1000,
                10,
                List.of());
    }

    @Test
    void checkWhenRegistrationScopesContainAdminScopeThenRefusedAtStartNamingTheProperty() {
        assertThatIllegalStateException()
                .isThrownBy(() -> AdminConfiguration.refusePrivilegedRegistrationScopes(
                        new AdminProperties("ops-admin", 20, 100), registration(List.of("openid", "ops-admin"))))
                .withMessageContaining("gatehouse.server.registration.scopes")
                .withMessageContaining("ops-admin");
    }

    @Test
    void checkWhenRegistrationScopesOrdinaryThenAccepted() {
        assertThatNoException()
                .isThrownBy(() -> AdminConfiguration.refusePrivilegedRegistrationScopes(
                        new AdminProperties("admin", 20, 100), registration(List.of("openid", "profile"))));
    }
}
