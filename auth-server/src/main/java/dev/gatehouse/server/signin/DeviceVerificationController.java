package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The device flow's page for the user (RFC 8628 §3.3): the verification URI that a device tells its user to open
 * ({@code verification_uri}), where the user, once signed in, types the code the device shows. Spring
 * Authorization Server's device verification endpoint processes the posted code (and a {@code user_code} in the
 * query, for {@code verification_uri_complete}); it has no page of its own for entering one. The endpoint's outcome
 * comes back here as a fixed word in the query ({@link #SUCCESS}, {@link #DENIED}, {@link #ERROR}), never as a
 * message from the request, so nothing the request said is echoed.
 */
@Controller
public final class DeviceVerificationController {

    /** The endpoint and page path, as Spring Authorization Server's default {@code verification_uri}. */
    public static final String PAGE = "/oauth2/device_verification";

    /** The query parameter that fills in the code field (a {@code user_code} link, redirected here). */
    static final String PREFILL = "code";

    static final String SUCCESS = PAGE + "?outcome=success";
    static final String DENIED = PAGE + "?outcome=denied";
    static final String ERROR = PAGE + "?outcome=error";

    /** Creates the controller. */
    public DeviceVerificationController() {}

    /**
     * The code entry page. A request with {@code user_code} never gets here: a GET is redirected here with the code in
     * {@link #PREFILL} ({@link DeviceVerificationGuard}), a POST goes to Spring Authorization Server's filter.
     */
    @GetMapping(value = PAGE, params = "!user_code")
    String page(
            Authentication user,
            @RequestParam(name = "outcome", defaultValue = "") String outcome,
            @RequestParam(name = PREFILL, defaultValue = "") String code,
            Model model,
            HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        model.addAttribute("user", user.getName());
        // From a verification_uri_complete link: shown for the user to compare with the device, never submitted.
        String prefill = DeviceVerificationGuard.USER_CODE_SHAPE.matcher(code).matches() ? code : "";
        model.addAttribute("prefill", prefill);
        model.addAttribute(
                "outcome",
                switch (outcome) {
                    case "success", "denied", "error" -> outcome;
                    default -> "";
                });
        return "device-verification";
    }

    /**
     * Where the endpoint sends the browser after an approved device: back to this page, which says so.
     *
     * @return the success handler for {@code deviceVerificationResponseHandler}
     */
    public static AuthenticationSuccessHandler successHandler() {
        return (request, response, authentication) -> redirect(response, request.getContextPath() + SUCCESS);
    }

    /**
     * Where the endpoint sends the browser after a refused code or a denied consent: back to this page with a
     * generic message (RFC 8628 §5.1: the page must not help an attacker tell a wrong code from an expired one).
     *
     * @return the failure handler for {@code errorResponseHandler}
     */
    public static AuthenticationFailureHandler failureHandler() {
        return (request, response, exception) ->
                redirect(response, request.getContextPath() + (denied(exception) ? DENIED : ERROR));
    }

    private static boolean denied(AuthenticationException exception) {
        return exception instanceof OAuth2AuthenticationException oauth
                && OAuth2ErrorCodes.ACCESS_DENIED.equals(oauth.getError().getErrorCode());
    }

    private static void redirect(HttpServletResponse response, String location) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        response.sendRedirect(location);
    }
}
