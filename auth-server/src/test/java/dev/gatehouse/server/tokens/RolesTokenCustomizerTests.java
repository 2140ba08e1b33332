package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolesTokenCustomizerTests {

    @ParameterizedTest
    @CsvSource({
        "'', false",
        "openid, false",
        "openid profile email address phone offline_access, false",
        "api.read, true",
        "openid profile api.write, true",
        "admin, true"
    })
    void conveysAuthorityWhenScopesGrantedThenOnlyWithAResourceScope(String scopes, boolean conveys) {
        Set<String> granted = scopes.isEmpty() ? Set.of() : Set.of(scopes.split(" "));
        assertThat(RolesTokenCustomizer.conveysAuthority(granted)).isEqualTo(conveys);
    }
}
