package dev.gatehouse.server.registration;

import dev.gatehouse.server.settings.MailFlowProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The forgotten password ({@code gatehouse.server.mail.password-reset-enabled}): {@code /password/forgot} asks for
 * the address and always answers the same; {@code /password/reset} is the mailed link (single use, 15 minutes),
 * asking for the new password.
 */
@Controller
final class PasswordResetController extends MailFlowController {

    PasswordResetController(SelfService service, MailFlowProperties properties) {
        super(service, properties.passwordResetEnabled());
    }

    @GetMapping("/password/forgot")
    String form(Model model) {
        Pages.noErrors(model);
        return "registration/forgot";
    }

    @PostMapping("/password/forgot")
    String request(
            @RequestParam(name = "email", required = false) @Nullable String email,
            Locale locale,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.requestReset(email, locale, request.getRemoteAddr());
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "reset_sent", false, "/login", "mail.action.sign_in");
        }
        String problem = Pages.problem(outcome, model, response, "/password/forgot");
        if (problem != null) {
            return problem;
        }
        model.addAttribute("email", Pages.echo(email));
        return "registration/forgot";
    }

    @GetMapping("/password/reset")
    String resetForm(
            @RequestParam(name = "token", required = false) @Nullable String token,
            HttpServletResponse response,
            Model model) {
        String problem = Pages.problem(service.checkReset(token), model, response, "/password/forgot");
        if (problem != null) {
            return problem;
        }
        Pages.noErrors(model);
        model.addAttribute("token", token);
        model.addAttribute("minLength", service.minPasswordLength());
        return "registration/reset";
    }

    @PostMapping("/password/reset")
    String reset(
            @RequestParam(name = "token", required = false) @Nullable String token,
            @RequestParam(name = "password", required = false) @Nullable String password,
            @RequestParam(name = "confirmation", required = false) @Nullable String confirmation,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.reset(token, password, confirmation);
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "reset_done", false, "/login", "mail.action.sign_in");
        }
        String problem = Pages.problem(outcome, model, response, "/password/forgot");
        if (problem != null) {
            return problem;
        }
        model.addAttribute("token", token);
        model.addAttribute("minLength", service.minPasswordLength());
        return "registration/reset";
    }
}
