package dev.gatehouse.server.registration;

import dev.gatehouse.server.settings.MailFlowProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The change of address ({@code gatehouse.server.mail.email-change-enabled}): {@code /account/email} (signed in,
 * current password required) sends a link to the new address and a notice to the old one; {@code /email/confirm}
 * is the link, whose button applies the change.
 */
@Controller
final class EmailChangeController extends MailFlowController {

    EmailChangeController(SelfService service, MailFlowProperties properties) {
        super(service, properties.emailChangeEnabled());
    }

    @GetMapping("/account/email")
    String form(Authentication user, Model model) {
        Pages.noErrors(model);
        model.addAttribute("current", service.currentEmail(user.getName()));
        return "registration/email-change";
    }

    @PostMapping("/account/email")
    String request(
            Authentication user,
            @RequestParam(name = "password", required = false) @Nullable String password,
            @RequestParam(name = "email", required = false) @Nullable String email,
            Locale locale,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome =
                service.requestChange(user.getName(), password, email, locale, request.getRemoteAddr());
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "change_sent", false, null, null);
        }
        String problem = Pages.problem(outcome, model, response, "/account/email");
        if (problem != null) {
            return problem;
        }
        model.addAttribute("current", service.currentEmail(user.getName()));
        model.addAttribute("email", Pages.echo(email));
        return "registration/email-change";
    }

    @GetMapping("/email/confirm")
    String confirmPage(
            @RequestParam(name = "token", required = false) @Nullable String token,
            HttpServletResponse response,
            Model model) {
        String problem = Pages.problem(service.checkChange(token), model, response, "/account/email");
        return problem != null
                ? problem
                : Pages.confirm(model, "change_confirm", "/email/confirm", Objects.requireNonNull(token));
    }

    @PostMapping("/email/confirm")
    String confirm(
            @RequestParam(name = "token", required = false) @Nullable String token,
            Locale locale,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.confirmChange(token, locale);
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "changed", false, "/login", "mail.action.sign_in");
        }
        return Objects.requireNonNull(Pages.problem(outcome, model, response, "/account/email"));
    }
}
