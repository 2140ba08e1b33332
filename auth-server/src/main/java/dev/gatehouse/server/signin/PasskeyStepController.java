package dev.gatehouse.server.signin;

import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.server.mfa.MfaPolicy;
import jakarta.servlet.http.HttpSession;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The passkey step after a password ({@code /mfa/passkey}, issue #16): the page only; the assertion goes to Spring
 * Security's {@code POST /login/webauthn} (posted by {@code /assets/passkey-sign-in.js}), whose filter merges the
 * passkey factor into the password sign-in (same user only) and answers with the saved request to resume. The page
 * offers the TOTP and recovery-code steps only when they can meet what is owed: never when a phishing-resistant
 * factor is (WebAuthn Level 3 §13.4.9: only the origin-bound assertion resists phishing).
 */
@Controller
final class PasskeyStepController {

    private final MfaPolicy policy;
    private final RecoveryCodes recoveryCodes;

    /**
     * Creates the controller.
     *
     * @param policy the factor policy
     * @param recoveryCodes tells whether the user has recovery codes left
     */
    public PasskeyStepController(MfaPolicy policy, RecoveryCodes recoveryCodes) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
        this.recoveryCodes = Objects.requireNonNull(recoveryCodes, "recoveryCodes must not be null");
    }

    /** The passkey step. */
    @GetMapping(MfaStepUpFilter.PASSKEY_PAGE)
    String passkeyPage(Authentication user, Model model, @Nullable HttpSession session) {
        String name = user.getName();
        boolean required = phishingResistantOwed(session) || policy.phishingResistantRequired(name, null, null);
        boolean totp = !required && policy.hasConfirmedTotp(name);
        model.addAttribute("user", name);
        model.addAttribute("required", required);
        model.addAttribute("totp", totp);
        model.addAttribute("recovery", !required && (totp || recoveryCodes.remaining(name) > 0));
        return "mfa-passkey";
    }

    private static boolean phishingResistantOwed(@Nullable HttpSession session) {
        return session != null && Boolean.TRUE.equals(session.getAttribute(MfaStepUpFilter.PHISHING_RESISTANT_OWED));
    }
}
