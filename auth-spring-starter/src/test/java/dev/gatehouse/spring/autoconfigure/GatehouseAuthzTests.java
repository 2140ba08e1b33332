package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import dev.gatehouse.core.testsupport.HidingClassLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

class GatehouseAuthzTests {

    private static final String RESOURCE_SERVER = "org.springframework.security.oauth2.server.resource.";

    @AfterEach
    void clearSecurityContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void permitsWhenResourceServerLibraryAbsentThenDecidesWithoutIt() throws Exception {
        PolicyDecisionPoint pdp =
                PolicyDecisionPoint.of(RbacEngine.of(RbacModel.load(Path.of("src/test/resources/policy/rbac.yaml"))));
        Class<?> authzClass = new HidingClassLoader("dev.gatehouse.spring.", name -> name.startsWith(RESOURCE_SERVER))
                .loadClass(GatehouseAuthz.class.getName());
        Object authz = authzClass
                .getConstructor(PolicyDecisionPoint.class, Clock.class)
                .newInstance(pdp, Clock.systemUTC());
        SecurityContextHolder.getContext()
                .setAuthentication(new TestingAuthenticationToken("bob", "n/a", List.of(() -> "ROLE_viewer")));

        Object read = authzClass.getMethod("permits", String.class).invoke(authz, "document:read");
        Object delete = authzClass.getMethod("permits", String.class).invoke(authz, "document:delete");

        assertThat(read).isEqualTo(true);
        assertThat(delete).isEqualTo(false);
    }
}
