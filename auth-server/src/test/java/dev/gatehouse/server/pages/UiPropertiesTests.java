package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UiPropertiesTests {

    static final java.util.List<String> LANGUAGES = java.util.List.of("en", "de", "fr");

    @Test
    void constructorWhenDefaultsThenGatehouseWithNothingElse() {
        UiProperties ui = new UiProperties("Gatehouse", null, null, null, null, LANGUAGES);
        assertThat(ui.productName()).isEqualTo("Gatehouse");
        assertThat(new GatehouseUi(ui).isThemed()).isFalse();
        assertThat(new GatehouseUi(ui).getSupportUrl()).isNull();
    }

    @Test
    void constructorWhenEveryValueGoodThenKept(@TempDir Path dir) {
        UiProperties ui =
                new UiProperties(" Acme ID ", "/assets/logo.svg", "#0B5CAD", "https://help.example/id", dir, LANGUAGES);
        assertThat(ui.productName()).isEqualTo("Acme ID");
        assertThat(ui.primaryColor()).isEqualTo("#0b5cad");
        assertThat(ui.directory()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(new UiProperties("x", null, null, "/help", null, LANGUAGES).supportUrl())
                .isEqualTo("/help");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0b5cad", "#0b5ca", "#0b5cadd", "red", "#gggggg", "#0b5cad;x:1", "rgb(0,0,0)"})
    void constructorWhenPrimaryColorNotRrggbbThenClearMessage(String color) {
        assertThatThrownBy(() -> new UiProperties("x", null, color, null, null, LANGUAGES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gatehouse.server.ui.primary-color")
                .hasMessageContaining("#rrggbb");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://help.example",
                "javascript:alert(1)",
                "//evil.example/x",
                "https://user@help.example/",
                "https://",
                "help",
                "/\\evil.example",
                "/a b"
            })
    void constructorWhenSupportUrlNotHttpsOrPathThenClearMessage(String url) {
        assertThatThrownBy(() -> new UiProperties("x", null, null, url, null, LANGUAGES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gatehouse.server.ui.support-url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://cdn.example/logo.svg", "//cdn.example/logo.svg", "logo.svg", "data:image/png,x"})
    void constructorWhenLogoNotOnThisServerThenClearMessage(String logo) {
        assertThatThrownBy(() -> new UiProperties("x", logo, null, null, null, LANGUAGES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gatehouse.server.ui.logo");
    }

    @Test
    void constructorWhenProductNameEmptyOrControlOrLongThenClearMessage() {
        for (String name : new String[] {" ", "Acme\nID", "x".repeat(61)}) {
            assertThatThrownBy(() -> new UiProperties(name, null, null, null, null, LANGUAGES))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gatehouse.server.ui.product-name");
        }
    }

    @Test
    void constructorWhenLocalesThenLanguageCodesDeduplicatedFirstTheDefault() {
        UiProperties ui = new UiProperties("x", null, null, null, null, java.util.List.of(" DE", "en", "de"));
        assertThat(ui.locales()).containsExactly("de", "en");
        assertThat(ui.supportedLocales()).containsExactly(java.util.Locale.GERMAN, java.util.Locale.ENGLISH);
        for (java.util.List<String> wrong : java.util.List.of(
                java.util.List.<String>of(), java.util.List.of("en", "de-CH"), java.util.List.of("*"))) {
            assertThatThrownBy(() -> new UiProperties("x", null, null, null, null, wrong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gatehouse.server.ui.locales");
        }
    }

    @Test
    void requireBundlesWhenLanguageHasNoBundleThenStartRefusedUnlessTheDirectoryHoldsIt(@TempDir Path dir)
            throws IOException {
        PagesConfiguration.requireBundles(new UiProperties("x", null, null, null, null, LANGUAGES));
        UiProperties spanish = new UiProperties("x", null, null, null, dir, java.util.List.of("es", "en"));
        assertThatThrownBy(() -> PagesConfiguration.requireBundles(spanish))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gatehouse.server.ui.locales names es")
                .hasMessageContaining("i18n/pages_es.properties");
        Files.createDirectories(dir.resolve("i18n"));
        Files.writeString(dir.resolve("i18n/pages_es.properties"), "login.title=Iniciar sesión\n");
        PagesConfiguration.requireBundles(spanish);
    }

    @Test
    void constructorWhenDirectoryMissingOrAFileThenClearMessage(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        for (Path wrong : new Path[] {dir.resolve("missing"), file}) {
            assertThatThrownBy(() -> new UiProperties("x", null, null, null, wrong, LANGUAGES))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gatehouse.server.ui.directory")
                    .hasMessageContaining("is not a directory");
        }
    }
}
