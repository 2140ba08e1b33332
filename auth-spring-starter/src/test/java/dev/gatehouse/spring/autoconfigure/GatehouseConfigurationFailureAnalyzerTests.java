package dev.gatehouse.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

@ExtendWith(OutputCaptureExtension.class)
class GatehouseConfigurationFailureAnalyzerTests {

    private static final String NOT_BASE64 = "not-base64-secret-value!";

    private final GatehouseConfigurationFailureAnalyzer analyzer = new GatehouseConfigurationFailureAnalyzer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehouseTokenAutoConfiguration.class,
                    GatehouseResourceServerAutoConfiguration.class,
                    GatehousePropertyCheckAutoConfiguration.class));

    private FailureAnalysis analysisOf(String... properties) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        runner.withPropertyValues(properties).run(context -> failure.set(context.getStartupFailure()));
        assertThat(failure.get()).isNotNull();
        FailureAnalysis analysis = analyzer.analyze(failure.get());
        assertThat(analysis).isNotNull();
        return analysis;
    }

    @Test
    void analyzeWhenMasterKeyMissingThenDescriptionSaysWhyAndActionHowToGenerateOne(@TempDir Path dir) {
        FailureAnalysis analysis = analysisOf(
                "gatehouse.token.issuer=https://login.example.test",
                "gatehouse.token.key-store=" + dir.resolve("keys.json"));

        assertThat(analysis.getDescription())
                .contains("gatehouse.token.key-store needs a master key")
                .doesNotContain("openssl");
        assertThat(analysis.getAction()).contains("GATEHOUSE_MASTER_KEY").contains("openssl rand -base64 32");
    }

    @Test
    void analyzeWhenSecretIsNotBase64ThenNamesThePropertyButNoPartOfTheSecret() {
        FailureAnalysis analysis = analysisOf(
                "gatehouse.dev-mode=true",
                "gatehouse.token.issuer=https://login.example.test",
                "gatehouse.token.algorithm=HS256",
                "gatehouse.token.hmac-secret=" + NOT_BASE64);

        assertThat(analysis.getDescription()).contains("gatehouse.token.hmac-secret is not valid Base64");
        assertThat(analysis.getAction()).contains("openssl rand -base64 32");
        assertThat(analysis.getDescription() + analysis.getAction() + analysis.getCause())
                .doesNotContain(NOT_BASE64)
                .doesNotContain("Illegal base64 character");
    }

    @Test
    void analyzeWhenRefusalsOfTheStarterThenEachHasAnAction() {
        assertThat(analysisOf("gatehouse.resource-server.issuer-uri=https://login.example.test")
                        .getAction())
                .contains("gatehouse.resource-server.audiences");
        assertThat(analysisOf("gatehouse.resource-server.audience=api").getDescription())
                .contains("did you mean gatehouse.resource-server.audiences?");
        assertThat(analysisOf("gatehouse.token.issuer=https://login.example.test")
                        .getAction())
                .contains("gatehouse.dev-mode=true");
        FailureAnalysis plainHttp = analysisOf(
                "gatehouse.resource-server.issuer-uri=https://login.example.test",
                "gatehouse.resource-server.resource=http://api.example.test");
        assertThat(plainHttp.getDescription()).contains("gatehouse.resource-server.resource must use https");
        assertThat(plainHttp.getAction()).contains("https");
        assertThat(analysisOf(
                                "gatehouse.resource-server.issuer-uri=https://login.example.test",
                                "gatehouse.resource-server.resource=https://api.example.test",
                                "gatehouse.resource-server.audiences=web")
                        .getAction())
                .contains("Remove gatehouse.resource-server.audiences");
        assertThat(analysisOf("gatehouse.resource-server.resource=https://api.example.test")
                        .getAction())
                .contains("gatehouse.resource-server.issuer-uri");
    }

    @Test
    void analyzeWhenNoActionGivenThenPointsToTheProperties() {
        FailureAnalysis analysis = analyzer.analyze(new GatehouseConfigurationException("gatehouse.x is wrong"));

        assertThat(analysis.getDescription()).isEqualTo("gatehouse.x is wrong");
        assertThat(analysis.getAction()).isEqualTo(GatehouseConfigurationFailureAnalyzer.DEFAULT_ACTION);
    }

    @Test
    void runWhenGatehouseRefusesThenSpringBootPrintsDescriptionAndAction(CapturedOutput output) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(TokenOnly.class)
                .web(WebApplicationType.NONE)
                .properties("gatehouse.token.issuer=https://login.example.test");

        assertThatThrownBy(app::run).isInstanceOf(Exception.class);
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("Description:")
                .contains("gatehouse.token.key-store is required outside dev mode")
                .contains("Action:")
                .contains("Set it to a file path");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(GatehouseTokenAutoConfiguration.class)
    static class TokenOnly {}
}
