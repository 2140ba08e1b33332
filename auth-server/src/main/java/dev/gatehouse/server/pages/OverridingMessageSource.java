package dev.gatehouse.server.pages;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.context.support.ReloadableResourceBundleMessageSource;

/**
 * The message bundles, with those of the override directory ({@code gatehouse.server.ui.directory}, its {@code i18n/})
 * before the built-in ones, key by key. A text is looked up language first: every source's file for the language
 * ({@code pages_de}), then every source's base file ({@code pages}), so a key overridden only in English does not
 * replace the built-in German or French text.
 */
final class OverridingMessageSource extends ReloadableResourceBundleMessageSource {

    /**
     * Creates the message source.
     *
     * @param basenames resource locations without language or suffix, overriding ones first
     *     ({@code file:/etc/gatehouse/ui/i18n/pages}, {@code classpath:i18n/pages}, ...)
     */
    OverridingMessageSource(List<String> basenames) {
        setBasenames(basenames.toArray(String[]::new));
        setDefaultEncoding("UTF-8");
        setFallbackToSystemLocale(false);
    }

    @Override
    protected @Nullable String resolveCodeWithoutArguments(String code, Locale locale) {
        for (String filename : filenames(locale)) {
            @Nullable String message = getProperties(filename).getProperty(code);
            if (message != null) {
                return message;
            }
        }
        return null;
    }

    @Override
    protected @Nullable MessageFormat resolveCode(String code, Locale locale) {
        for (String filename : filenames(locale)) {
            @Nullable MessageFormat format = getProperties(filename).getMessageFormat(code, locale);
            if (format != null) {
                return format;
            }
        }
        return null;
    }

    /** The files to look in, most specific language first across all sources, then every base file. */
    private List<String> filenames(Locale locale) {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        for (String basename : getBasenameSet()) {
            names.addAll(calculateFilenamesForLocale(basename, locale));
        }
        names.addAll(getBasenameSet());
        return names;
    }
}
