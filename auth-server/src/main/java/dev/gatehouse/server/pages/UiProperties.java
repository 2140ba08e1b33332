package dev.gatehouse.server.pages;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Branding of the pages without forking them, under {@code gatehouse.server.ui.*} (environment:
 * {@code GATEHOUSE_SERVER_UI_*}). Every value is checked at start-up: a wrong one stops the server with a message
 * naming the property, rather than a page that breaks or a colour nobody can read.
 *
 * @param productName the name in every page's header and title; default {@code Gatehouse}; at most 60 characters,
 *     no control characters
 * @param logo the logo shown before the product name: a path on this server ({@code /assets/logo.svg}, for example
 *     from the override directory's {@code assets/}), since the pages' CSP allows images from this origin only;
 *     default none
 * @param primaryColor the colour of the header and the main buttons, {@code #rrggbb}; served as
 *     {@code /assets/theme.css} with a text colour chosen for a contrast of at least 4.5:1 (WCAG 2.2 AA); default
 *     none (the built-in blue, light and dark)
 * @param supportUrl where the footer's "Help and support" link goes: an {@code https} URL or a path on this server;
 *     default none (no link)
 * @param directory a directory whose {@code templates/}, {@code i18n/} and {@code assets/} win over the built-in
 *     templates, message bundles and assets, file by file (messages key by key); it must exist and be readable;
 *     default none
 * @param locales the languages pages are offered in, as ISO 639 language codes, the first the default when neither
 *     {@code ui_locales} nor {@code Accept-Language} names one of them; default {@code en, de, fr}. Each needs its
 *     bundle {@code i18n/pages_<code>.properties}, built in (German, French) or in the override directory; English is
 *     the base bundle
 */
@ConfigurationProperties("gatehouse.server.ui")
public record UiProperties(
        @DefaultValue("Gatehouse") String productName,
        @Nullable String logo,
        @Nullable String primaryColor,
        @Nullable String supportUrl,
        @Nullable Path directory,
        @DefaultValue({"en", "de", "fr"}) List<String> locales) {

    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final int MAX_NAME = 60;
    private static final int MAX_URL = 2000;

    /** Checks every value at start-up. */
    public UiProperties {
        productName = productName.strip();
        if (productName.isEmpty() || productName.length() > MAX_NAME || hasControl(productName)) {
            throw new IllegalArgumentException("gatehouse.server.ui.product-name must be 1 to " + MAX_NAME
                    + " characters without control characters");
        }
        logo = blankToNull(logo);
        if (logo != null && !isLocalPath(logo)) {
            throw new IllegalArgumentException("gatehouse.server.ui.logo must be a path on this server starting with"
                    + " '/', such as /assets/logo.svg (the pages' Content-Security-Policy allows images from this"
                    + " origin only)");
        }
        primaryColor = blankToNull(primaryColor);
        if (primaryColor != null) {
            if (!COLOR.matcher(primaryColor).matches()) {
                throw new IllegalArgumentException(
                        "gatehouse.server.ui.primary-color must be a colour written #rrggbb, such as #0b5cad");
            }
            primaryColor = primaryColor.toLowerCase(Locale.ROOT);
        }
        supportUrl = blankToNull(supportUrl);
        if (supportUrl != null && !isLocalPath(supportUrl) && !isHttpsUrl(supportUrl)) {
            throw new IllegalArgumentException("gatehouse.server.ui.support-url must be an https URL"
                    + " (https://example.com/help) or a path on this server starting with '/'");
        }
        if (directory != null) {
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("gatehouse.server.ui.directory " + directory
                        + " is not a directory (it must exist and hold templates/, i18n/ or assets/)");
            }
            if (!Files.isReadable(directory) || !Files.isExecutable(directory)) {
                throw new IllegalArgumentException(
                        "gatehouse.server.ui.directory " + directory + " is not readable by the server");
            }
            directory = directory.toAbsolutePath().normalize();
        }
        List<String> languages = new ArrayList<>();
        for (String locale : locales) {
            String language = locale.strip().toLowerCase(Locale.ROOT);
            if (!LANGUAGE.matcher(language).matches()) {
                throw new IllegalArgumentException(
                        "gatehouse.server.ui.locales must list ISO 639 language codes such as"
                                + " en, de, fr (one is not: it must be 2 or 3 letters)");
            }
            if (!languages.contains(language)) {
                languages.add(language);
            }
        }
        if (languages.isEmpty()) {
            throw new IllegalArgumentException("gatehouse.server.ui.locales must name at least one language");
        }
        locales = List.copyOf(languages);
    }

    /**
     * The languages pages are offered in, the first the default.
     *
     * @return the locales of {@link #locales()}
     */
    public List<Locale> supportedLocales() {
        return locales.stream().map(Locale::forLanguageTag).toList();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
    }

    /** A path on this server: starts with one slash (not {@code //host}), no backslash, no control or space. */
    static boolean isLocalPath(String value) {
        if (value.length() > MAX_URL
                || !value.startsWith("/")
                || value.startsWith("//")
                || value.contains("\\")
                || hasControl(value)
                || value.chars().anyMatch(Character::isWhitespace)) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return uri.getScheme() == null && uri.getRawAuthority() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** An absolute {@code https} URL with a host and no user information. */
    static boolean isHttpsUrl(String value) {
        if (value.length() > MAX_URL || hasControl(value) || value.chars().anyMatch(Character::isWhitespace)) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
