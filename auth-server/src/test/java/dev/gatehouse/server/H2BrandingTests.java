package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Branding without forking ({@code gatehouse.server.ui.*}) on a running server: product name, logo, primary colour as
 * {@code /assets/theme.css}, support link, and an override directory whose template, texts and assets win over the
 * built-in ones while everything it does not hold stays built-in.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false",
            "gatehouse.server.ui.product-name=Acme <ID>",
            "gatehouse.server.ui.logo=/assets/acme-logo.svg",
            "gatehouse.server.ui.primary-color=#FFCC00",
            "gatehouse.server.ui.support-url=https://help.acme.example/sign-in?from=gatehouse&x=1",
            "gatehouse.server.ui.locales=en,de,fr,es"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class H2BrandingTests {

    static final Path DATA;
    static final Path UI;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-branding-h2-");
            UI = Files.createTempDirectory("gatehouse-branding-ui-");
            Files.createDirectories(UI.resolve("templates"));
            Files.createDirectories(UI.resolve("i18n"));
            Files.createDirectories(UI.resolve("assets"));
            Files.writeString(UI.resolve("i18n/pages.properties"), "login.heading=Welcome to Acme\n");
            Files.writeString(
                    UI.resolve("i18n/pages_de.properties"),
                    "login.heading=Willkommen bei Acme\n",
                    StandardCharsets.UTF_8);
            Files.writeString(
                    UI.resolve("i18n/pages_es.properties"),
                    "login.heading=Iniciar sesión\nlogin.username=Nombre de usuario\n",
                    StandardCharsets.UTF_8);
            Files.writeString(
                    UI.resolve("assets/acme-logo.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>");
            // A replaced page: the home page, drawn by the built-in layout, with a text of its own.
            Files.writeString(UI.resolve("templates/home.html"), """
                    <!DOCTYPE html>
                    <html xmlns:th="http://www.thymeleaf.org" th:replace="~{layout :: page(#{home.title}, ~{::main})}">
                    <body><main><div class="card"><h1 id="acme-home" th:text="${user}">user</h1></div></main></body>
                    </html>
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
        registry.add("gatehouse.server.ui.directory", UI::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Test
    void loginPageWhenBrandedThenNameLogoThemeAndSupportLinkEscaped() {
        HttpBrowser browser = new HttpBrowser("http://localhost:" + port);
        String page = browser.get("/login").body();
        assertThat(page)
                .contains("<title>Sign in · Acme &lt;ID&gt;</title>")
                .contains("<span>Acme &lt;ID&gt;</span>")
                .doesNotContain("Acme <ID>")
                .contains("<img class=\"brand-logo\" src=\"/assets/acme-logo.svg\" alt=\"\">")
                .contains("<link rel=\"stylesheet\" href=\"/assets/theme.css\">")
                .contains("href=\"https://help.acme.example/sign-in?from=gatehouse&amp;x=1\"")
                .contains("Help and support")
                // The override's English text; the built-in texts it does not override.
                .contains("Welcome to Acme")
                .contains("Sign in with your Acme &lt;ID&gt; account.");
        HttpResponse<String> theme = browser.get("/assets/theme.css");
        assertThat(theme.statusCode()).isEqualTo(200);
        assertThat(theme.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/css");
        // #ffcc00 is light: black text (13.4:1), not white (1.6:1).
        assertThat(theme.body()).contains("--brand: #ffcc00;").contains("--on-brand: #000000;");
    }

    @Test
    void overrideDirectoryWhenItHoldsTextsAssetsAndATemplateThenTheyWinAndTheRestStaysBuiltIn() {
        HttpBrowser browser = new HttpBrowser("http://localhost:" + port);
        assertThat(browser.get("/login", "Accept-Language", "de").body())
                .contains("Willkommen bei Acme")
                .contains("Benutzername");
        assertThat(browser.get("/login", "Accept-Language", "fr").body())
                // No French override: the English override does not replace the built-in French text.
                .contains("<h1>Connexion</h1>");
        // A language added by configuration with its bundle in the directory; texts it lacks are the base (English).
        assertThat(browser.get("/login", "Accept-Language", "es-MX,en;q=0.5").body())
                .contains("<html lang=\"es\">")
                .contains("Iniciar sesión")
                .contains("Nombre de usuario")
                .contains("Password");
        HttpResponse<String> logo = browser.get("/assets/acme-logo.svg");
        assertThat(logo.statusCode()).isEqualTo(200);
        assertThat(logo.body()).startsWith("<svg");
        assertThat(browser.get("/assets/gatehouse.css").body()).contains("prefers-color-scheme");

        String name = "brand-" + UUID.randomUUID();
        users.create(name, hasher.hash("branding tests password 3"), List.of("user"));
        browser.login(name, "branding tests password 3");
        assertThat(browser.get("/").body())
                .contains("<h1 id=\"acme-home\">" + name + "</h1>")
                .contains("<header class=\"site-header\">");
        // Pages the directory does not replace stay built-in.
        assertThat(browser.get("/logout").body()).contains("id=\"sign-out\"");
    }
}
