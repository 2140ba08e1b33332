package dev.gatehouse.server.pages;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the layout shows of the branding, as the bean {@code gatehouseUi} that templates read
 * ({@code ${@gatehouseUi.productName}}): product name, logo path, support link and whether {@code /assets/theme.css}
 * exists. Immutable; built once from {@link UiProperties}.
 */
public final class GatehouseUi {

    /** The bean name templates use. */
    public static final String BEAN_NAME = "gatehouseUi";

    private final String productName;
    private final @Nullable String logo;
    private final @Nullable String supportUrl;
    private final @Nullable String themeCss;

    GatehouseUi(UiProperties properties) {
        Objects.requireNonNull(properties, "properties must not be null");
        this.productName = properties.productName();
        this.logo = properties.logo();
        this.supportUrl = properties.supportUrl();
        this.themeCss = properties.primaryColor() == null ? null : themeCss(properties.primaryColor());
    }

    /**
     * The product name in each page's header and title.
     *
     * @return the name, {@code Gatehouse} unless configured
     */
    public String getProductName() {
        return productName;
    }

    /**
     * The logo's path on this server.
     *
     * @return the path, or {@code null} for none
     */
    public @Nullable String getLogo() {
        return logo;
    }

    /**
     * The footer's support link.
     *
     * @return an https URL or a path, or {@code null} for none
     */
    public @Nullable String getSupportUrl() {
        return supportUrl;
    }

    /**
     * Whether pages link {@code /assets/theme.css}.
     *
     * @return {@code true} when a primary colour is configured
     */
    public boolean isThemed() {
        return themeCss != null;
    }

    /** The generated stylesheet, or {@code null} when no primary colour is configured. */
    @Nullable
    String themeCss() {
        return themeCss;
    }

    /**
     * The stylesheet setting the brand colour (header, main buttons) and the text drawn on it: black or white,
     * whichever contrasts more; one of them always reaches 4.5:1 (WCAG 2.2 SC 1.4.3), since the two contrasts
     * multiply to 21.
     */
    static String themeCss(String color) {
        String on = contrast(color, "#ffffff") >= contrast(color, "#000000") ? "#ffffff" : "#000000";
        return "/* gatehouse.server.ui.primary-color */\n" + ":root { --brand: " + color.toLowerCase(Locale.ROOT)
                + "; --on-brand: " + on + "; }\n";
    }

    /** WCAG 2.x contrast ratio of two #rrggbb colours. */
    static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    /** WCAG 2.x relative luminance of #rrggbb. */
    static double luminance(String color) {
        int rgb = Integer.parseInt(color.substring(1), 16);
        return 0.2126 * channel((rgb >> 16) & 0xff)
                + 0.7152 * channel((rgb >> 8) & 0xff)
                + 0.0722 * channel(rgb & 0xff);
    }

    private static double channel(int value) {
        double c = value / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
