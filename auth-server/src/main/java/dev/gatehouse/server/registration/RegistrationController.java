package dev.gatehouse.server.registration;

import dev.gatehouse.server.settings.MailFlowProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Self-registration ({@code gatehouse.server.mail.registration-enabled}): {@code /register} asks for an address and
 * a password; the answer is the same whether the address is new or taken, and the mail to it says which.
 * {@code /register/verify} is the mailed link: a page with one button, whose post verifies the address.
 */
@Controller
final class RegistrationController extends MailFlowController {

    RegistrationController(SelfService service, MailFlowProperties properties) {
        super(service, properties.registrationEnabled());
    }

    @GetMapping("/register")
    String form(Model model) {
        Pages.noErrors(model);
        model.addAttribute("minLength", service.minPasswordLength());
        return "registration/register";
    }

    @PostMapping("/register")
    String register(
            @RequestParam(name = "email", required = false) @Nullable String email,
            @RequestParam(name = "password", required = false) @Nullable String password,
            @RequestParam(name = "confirmation", required = false) @Nullable String confirmation,
            Locale locale,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.register(email, password, confirmation, locale, request.getRemoteAddr());
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "register_sent", false, null, null);
        }
        String problem = Pages.problem(outcome, model, response, "/register");
        if (problem != null) {
            return problem;
        }
        model.addAttribute("email", Pages.echo(email));
        model.addAttribute("minLength", service.minPasswordLength());
        return "registration/register";
    }

    @GetMapping("/register/verify")
    String verifyPage(
            @RequestParam(name = "token", required = false) @Nullable String token,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.checkVerify(token);
        String problem = Pages.problem(outcome, model, response, "/register");
        return problem != null
                ? problem
                : Pages.confirm(model, "verify", "/register/verify", Objects.requireNonNull(token));
    }

    @PostMapping("/register/verify")
    String verify(
            @RequestParam(name = "token", required = false) @Nullable String token,
            HttpServletResponse response,
            Model model) {
        SelfService.Outcome outcome = service.verify(token);
        if (outcome instanceof SelfService.Done) {
            return Pages.message(model, response, HttpStatus.OK, "verified", false, "/login", "mail.action.sign_in");
        }
        return Objects.requireNonNull(Pages.problem(outcome, model, response, "/register"));
    }
}
