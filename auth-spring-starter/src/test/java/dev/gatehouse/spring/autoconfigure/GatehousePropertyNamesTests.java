package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class GatehousePropertyNamesTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehousePropertyCheckAutoConfiguration.class, GatehousePolicyAutoConfiguration.class));

    @Test
    void contextWhenPropertyMisspelledThenStartupFailsNamingTheNearestValidOne() {
        runner.withPropertyValues("gatehouse.resource-server.audience=api", "gatehouse.policy.rbac-files=rbac.yaml")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining(
                                "gatehouse.resource-server.audience (from test): did you mean gatehouse.resource-server.audiences?")
                        .hasMessageContaining(
                                "gatehouse.policy.rbac-files (from test): did you mean gatehouse.policy.rbac-file?"));
    }

    @Test
    void contextWhenUnknownPropertyHoldsASecretThenTheValueIsNotInTheMessage() {
        runner.withPropertyValues("gatehouse.token.hmac-secre=c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw==")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasMessageContaining("did you mean gatehouse.token.hmac-secret?")
                        .hasMessageNotContaining("c2VjcmV0"));
    }

    @Test
    void contextWhenEveryNameValidInAnyFormThenStarts() {
        runner.withPropertyValues(
                        "gatehouse.dev-mode=true",
                        "gatehouse.policy.rbac-file=src/test/resources/policy/rbac.yaml",
                        "gatehouse.policy.engines[0]=rbac",
                        "gatehouse.token.keyStore=keys.json",
                        "gatehouse.resource-server.audiences=api,billing",
                        "gatehouse.password.argon2-memory-kib=19456")
                .run(context -> assertThat(context).hasNotFailed().hasBean("authz"));
    }

    @Test
    void contextWhenUnknownNameOnlyInEnvironmentVariablesThenStarts() {
        runner.withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .addLast(new SystemEnvironmentPropertySource(
                                "systemEnvironment", Map.of("GATEHOUSE_ISSUER", "http://localhost:9000"))))
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void contextWhenNamesBoundByAnotherGatehouseRecordThenStartsButStarterNamesStayChecked() {
        ApplicationContextRunner withServerRecord = runner.withUserConfiguration(ServerLikeConfiguration.class);

        withServerRecord
                .withPropertyValues(
                        "gatehouse.issuer=http://localhost:9000",
                        "gatehouse.data-dir=./data",
                        "gatehouse.audit.retention=400d",
                        "gatehouse.origins[0]=http://127.0.0.1:5173")
                .run(context -> assertThat(context).hasNotFailed());
        withServerRecord
                .withPropertyValues("gatehouse.issuer=http://localhost:9000", "gatehouse.token.algoritm=ES256")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasMessageContaining("gatehouse.token.algoritm")
                        .hasMessageNotContaining("gatehouse.issuer"));
    }

    @Test
    void contextWhenRecordOnlyInTheApplicationsPackagesThenItsNamesAreAcceptedToo() {
        runner.withUserConfiguration(ApplicationPackage.class)
                .withPropertyValues("gatehouse.issuer=http://localhost:9000", "gatehouse.data-dir=./data")
                .run(context -> assertThat(context).hasNotFailed());
    }

    /** Registers this package as the application's (as {@code @SpringBootApplication} does), binding no record. */
    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage
    static class ApplicationPackage {}

    /**
     * Binds under {@code gatehouse}, as a meta-annotation: the configuration processor, which runs on the tests too,
     * would otherwise add the test record's names to the metadata the README table is compared with.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @ConfigurationProperties("gatehouse")
    @interface ServerSettings {}

    /** A server's own settings under {@code gatehouse.*}, as the authorization server has. */
    @ServerSettings
    record ServerLikeProperties(
            @Nullable String issuer,
            @Nullable String dataDir,
            @Nullable Map<String, String> audit,
            @Nullable List<String> origins) {}

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ServerLikeProperties.class)
    static class ServerLikeConfiguration {}

    @Test
    void validWhenReadFromTheRecordsThenCoversEveryDocumentedGroup() {
        assertThat(GatehousePropertyNames.VALID)
                .contains(
                        "gatehouse.dev-mode",
                        "gatehouse.master-key",
                        "gatehouse.password.argon2-memory-kib",
                        "gatehouse.token.key-store",
                        "gatehouse.token.audience",
                        "gatehouse.resource-server.audiences",
                        "gatehouse.mfa.recovery-code-key",
                        "gatehouse.policy.opa-wasm-entrypoint")
                .doesNotContain("gatehouse.token", "gatehouse.policy");
    }

    @Test
    void distanceWhenComparedThenCountsEdits() {
        assertThat(GatehousePropertyNames.distance("audience", "audiences")).isEqualTo(1);
        assertThat(GatehousePropertyNames.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(GatehousePropertyNames.distance("", "abc")).isEqualTo(3);
    }

    /**
     * {@code metadata-fixture/META-INF/additional-spring-configuration-metadata.json} on the test class path, seen
     * as {@code META-INF/...} through the application's class loader, describes names of an application sharing the
     * tree (as auth-server's metadata does): they pass, deprecated names and map keys included, while a misspelling
     * of one still fails naming the nearest current name. (Kept under its own root so that the starter's other tests,
     * and its README check, see the starter's metadata alone.)
     */
    @Test
    void contextWhenNamesDescribedByMetadataOnTheClassPathThenStartsAndMisspellingStillFails() {
        ApplicationContextRunner withMetadata = runner.withClassLoader(metadataFixture());
        withMetadata
                .withPropertyValues(
                        "gatehouse.server.data-dir=/srv/gatehouse",
                        "gatehouse.data-dir=/srv/old",
                        "gatehouse.server.labels.team=identity",
                        "gatehouse.dev-mode=true")
                .run(context -> assertThat(context).hasNotFailed());
        withMetadata
                .withPropertyValues("gatehouse.server.data-dri=/srv/gatehouse")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .isInstanceOf(GatehouseConfigurationException.class)
                        .hasMessageContaining(
                                "gatehouse.server.data-dri (from test): did you mean gatehouse.server.data-dir?"));
        // Without that metadata the same names are unknown.
        runner.withPropertyValues("gatehouse.server.data-dir=/srv/gatehouse")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void knownNamesWhenLoadedThenMetadataNamesAcceptedAndOnlyCurrentOnesSuggested() {
        GatehousePropertyNames.KnownNames known = GatehousePropertyNames.KnownNames.load(metadataFixture());
        assertThat(known.accepts(ConfigurationPropertyName.of("gatehouse.data-dir")))
                .isTrue();
        assertThat(known.accepts(ConfigurationPropertyName.of("gatehouse.server.labels.any-key")))
                .isTrue();
        assertThat(known.accepts(ConfigurationPropertyName.of("gatehouse.token.key-store")))
                .isTrue();
        assertThat(known.accepts(ConfigurationPropertyName.of("gatehouse.token.refresh-token-lifetime")))
                .isTrue();
        assertThat(known.accepts(ConfigurationPropertyName.of("gatehouse.server.data")))
                .isFalse();
        assertThat(known.current())
                .contains("gatehouse.server.data-dir", "gatehouse.server.labels")
                .doesNotContain("gatehouse.data-dir");
    }

    private static ClassLoader metadataFixture() {
        ClassLoader parent = GatehousePropertyNamesTests.class.getClassLoader();
        URL root =
                Objects.requireNonNull(parent.getResource("metadata-fixture/"), "metadata-fixture on the class path");
        return new URLClassLoader(new URL[] {root}, parent);
    }
}
