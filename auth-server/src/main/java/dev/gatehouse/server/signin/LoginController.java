package dev.gatehouse.server.signin;

import dev.gatehouse.server.mfa.MfaPolicy;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The sign-in page and the page a sign-in lands on when no authorization request is waiting. The sign-in page echoes nothing the request carries (not even the username typed), and its only message
 * after a failure is the same for unknown users, wrong passwords, disabled accounts and throttled attempts.
 */
@Controller
final class LoginController {

    private final MfaPolicy policy;
    private final boolean passkeys;

    /**
     * Creates the controller.
     *
     * @param policy tells whether the user has a second factor
     * @param passkeys whether passkeys are offered ({@code gatehouse.server.passkeys.enabled}): then the page has the
     *     passkey button and the username field's passkey autofill
     */
    public LoginController(MfaPolicy policy, @Value("${gatehouse.server.passkeys.enabled:true}") boolean passkeys) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.passkeys = passkeys;
    }

    /** The sign-in form. */
    @GetMapping("/login")
    String login(Model model) {
        model.addAttribute("passkeys", passkeys);
        return "login";
    }

    /**
     * Asks before signing out ({@code GET /logout}): signing out is the CSRF-protected {@code POST /logout}, so a
     * link or a typed address only shows this question.
     */
    @GetMapping("/logout")
    String logout(Authentication user, Model model) {
        model.addAttribute("user", user.getName());
        return "logout";
    }

    /** Where a sign-in without a waiting authorization request lands; links to enrolment. */
    @GetMapping("/")
    String home(Authentication user, Model model) {
        model.addAttribute("user", user.getName());
        model.addAttribute("mfa", policy.hasConfirmedTotp(user.getName()));
        return "home";
    }
}
