package dev.gatehouse.server.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Objects;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The {@code Permissions-Policy} header (W3C Permissions Policy): browser features no page uses switched off
 * everywhere, and the passkey ceremonies ({@code publickey-credentials-get} and {@code publickey-credentials-create},
 * WebAuthn Level 3 §5.9 and §5.10) allowed to this origin only on the pages whose scripts run them: the sign-in page,
 * the passkey step and its registration, the account's passkey and confirmation pages, the passkey offer. Every other
 * response, the protocol endpoints and the other pages, gets {@code ()} for both, so nothing injected into them, nor
 * a frame, can start a ceremony.
 */
final class PermissionsPolicyHeaderWriter implements HeaderWriter {

    static final String HEADER = "Permissions-Policy";

    /** The features no Gatehouse page uses. */
    private static final String OFF = "accelerometer=(), camera=(), display-capture=(), geolocation=(),"
            + " gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    /** The passkey pages: the ceremonies for this origin (never a frame of another origin). */
    static final String PASSKEY_PAGES = OFF + ", publickey-credentials-create=(self), publickey-credentials-get=(self)";

    /** Every other response: no ceremony at all. */
    static final String OTHER_RESPONSES = OFF + ", publickey-credentials-create=(), publickey-credentials-get=()";

    /** The pages whose templates load passkey-sign-in.js or passkey-register.js (and their re-rendered forms). */
    static final List<String> PASSKEY_PATHS = List.of(
            "/login",
            "/mfa/passkey",
            "/mfa/passkey/register",
            "/account/confirm",
            "/account/passkeys",
            "/account/passkeys/**",
            "/passkeys/offer");

    private final RequestMatcher passkeyPages;

    PermissionsPolicyHeaderWriter() {
        this.passkeyPages = new OrRequestMatcher(PASSKEY_PATHS.stream()
                .map(path -> (RequestMatcher) PathPatternRequestMatcher.pathPattern(path))
                .toList());
    }

    @Override
    public void writeHeaders(HttpServletRequest request, HttpServletResponse response) {
        Objects.requireNonNull(request, "request must not be null");
        if (!response.containsHeader(HEADER)) {
            response.setHeader(HEADER, passkeyPages.matches(request) ? PASSKEY_PAGES : OTHER_RESPONSES);
        }
    }
}
