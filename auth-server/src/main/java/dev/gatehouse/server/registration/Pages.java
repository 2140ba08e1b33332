package dev.gatehouse.server.registration;

import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;

/** The pages the e-mail flows' controllers answer with; every text is a key of the {@code i18n/mail} bundle. */
final class Pages {

    static final String MESSAGE = "registration/message";
    static final String CONFIRM = "registration/confirm";

    private Pages() {}

    /**
     * A page that says what happened and what to do next.
     *
     * @param name the message keys' stem: {@code mail.page.NAME.title} and {@code mail.page.NAME.text}
     * @param alert whether it reports a problem ({@code role=alert}) rather than a result ({@code role=status})
     * @param link where the page's one link goes (a path of this server), or {@code null}
     * @param linkKey the link's text key, or {@code null}
     */
    static String message(
            Model model,
            HttpServletResponse response,
            HttpStatus status,
            String name,
            boolean alert,
            @Nullable String link,
            @Nullable String linkKey) {
        response.setStatus(status.value());
        model.addAttribute("titleKey", "mail.page." + name + ".title");
        model.addAttribute("textKey", "mail.page." + name + ".text");
        model.addAttribute("alert", alert);
        model.addAttribute("link", link);
        model.addAttribute("linkKey", linkKey);
        return MESSAGE;
    }

    /**
     * The answer to an outcome that is not the step's own success, or {@code null} for a form to show again.
     *
     * @param start the flow's first page (where to try again, or to ask for a new link)
     */
    static @Nullable String problem(
            SelfService.Outcome outcome, Model model, HttpServletResponse response, String start) {
        if (outcome instanceof SelfService.Throttled) {
            return message(model, response, HttpStatus.TOO_MANY_REQUESTS, "throttled", true, null, null);
        }
        if (outcome instanceof SelfService.MailFailed) {
            return message(
                    model,
                    response,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "mail_failed",
                    true,
                    start,
                    "mail.action.try_again");
        }
        if (outcome instanceof SelfService.LinkInvalid invalid) {
            return message(
                    model,
                    response,
                    HttpStatus.GONE,
                    invalid.expired() ? "link_expired" : "link_invalid",
                    true,
                    start,
                    "mail.action.new_link");
        }
        if (outcome instanceof SelfService.Refused refused) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            model.addAttribute("errors", refused.errors());
        }
        return null;
    }

    /**
     * An address as typed, to show in the form again: only when it is short and free of control characters, so
     * a refused input is never reflected (escaping alone would still carry the control characters).
     */
    static String echo(@Nullable String email) {
        if (email == null || email.length() > EmailAddresses.MAX_LENGTH) {
            return "";
        }
        for (int i = 0; i < email.length(); i++) {
            char c = email.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return "";
            }
        }
        return email;
    }

    /** No errors yet (a form shown for the first time). */
    static void noErrors(Model model) {
        if (!model.containsAttribute("errors")) {
            model.addAttribute("errors", List.of());
        }
    }

    /**
     * The confirmation page a mailed link opens: one button that posts the token, so a mail scanner that follows
     * links does not use them up.
     */
    static String confirm(Model model, String name, String action, String token) {
        model.addAttribute("titleKey", "mail.page." + name + ".title");
        model.addAttribute("textKey", "mail.page." + name + ".text");
        model.addAttribute("buttonKey", "mail.page." + name + ".button");
        model.addAttribute("action", action);
        model.addAttribute("token", token);
        return CONFIRM;
    }
}
