package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatehouseUiTests {

    static final java.util.List<String> LANGUAGES = java.util.List.of("en", "de", "fr");

    @ParameterizedTest
    @CsvSource({"#ffffff, #000000", "#000000, #ffffff", "#0b5cad, #ffffff", "#ffcc00, #000000", "#777777, #000000"})
    void themeCssWhenColorThenBrandAndTheTextColourThatContrastsMost(String color, String text) {
        assertThat(GatehouseUi.themeCss(color))
                .contains("--brand: " + color + ";")
                .contains("--on-brand: " + text + ";")
                .doesNotContain("<", "}{", "url(");
    }

    @Test
    void themeCssWhenAnyColorThenTextContrastAtLeastAaForNormalText() {
        Random random = new Random(15);
        for (int i = 0; i < 5000; i++) {
            String color = String.format("#%06x", random.nextInt(0x1000000));
            String css = GatehouseUi.themeCss(color);
            String on = css.substring(css.indexOf("--on-brand: ") + 12, css.indexOf("--on-brand: ") + 19);
            assertThat(GatehouseUi.contrast(color, on)).as(color).isGreaterThanOrEqualTo(4.5);
        }
    }

    @Test
    void contrastWhenWcagExamplesThenKnownRatios() {
        assertThat(GatehouseUi.contrast("#000000", "#ffffff")).isEqualTo(21.0);
        assertThat(GatehouseUi.contrast("#777777", "#ffffff")).isBetween(4.47, 4.49);
    }

    @Test
    void gatehouseUiWhenPrimaryColorThenThemedAndServesTheStylesheet() {
        GatehouseUi ui =
                new GatehouseUi(new UiProperties("Acme", "/assets/acme.svg", "#0b5cad", "/help", null, LANGUAGES));
        assertThat(ui.isThemed()).isTrue();
        assertThat(ui.getProductName()).isEqualTo("Acme");
        assertThat(ui.getLogo()).isEqualTo("/assets/acme.svg");
        assertThat(new ThemeController(ui).theme().getBody()).contains("--brand: #0b5cad;");
        assertThat(new ThemeController(new GatehouseUi(new UiProperties("Acme", null, null, null, null, LANGUAGES)))
                        .theme()
                        .getStatusCode()
                        .value())
                .isEqualTo(404);
    }
}
