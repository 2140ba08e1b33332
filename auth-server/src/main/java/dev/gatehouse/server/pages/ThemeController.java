package dev.gatehouse.server.pages;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code /assets/theme.css}: the brand colour of {@code gatehouse.server.ui.primary-color} as a stylesheet (the pages'
 * CSP allows stylesheets from this origin only, and no inline style); {@code 404} when none is configured.
 */
@Controller
final class ThemeController {

    static final MediaType TEXT_CSS = new MediaType("text", "css", java.nio.charset.StandardCharsets.UTF_8);

    private final GatehouseUi ui;

    ThemeController(GatehouseUi ui) {
        this.ui = Objects.requireNonNull(ui, "ui must not be null");
    }

    @GetMapping("/assets/theme.css")
    ResponseEntity<String> theme() {
        @Nullable String css = ui.themeCss();
        if (css == null) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok()
                .contentType(TEXT_CSS)
                .cacheControl(CacheControl.maxAge(Duration.ofHours(1)).cachePublic())
                .body(css);
    }
}
