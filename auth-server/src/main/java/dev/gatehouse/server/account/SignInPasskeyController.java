package dev.gatehouse.server.account;

import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.signin.MfaStepUpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Registering a passkey in the middle of a sign-in ({@code /mfa/passkey/register}, issue #16): the sign-in's step-up
 * sends a user here when a phishing-resistant factor is owed and the user has none. Shown only to a user without a
 * passkey whose password (and one-time code, when the user has TOTP) were just proved ({@link Factors#fresh}), like the
 * forced TOTP enrolment; the page's script runs Spring Security's registration ceremony, which {@link
 * PasskeyRegistrationGuard} lets through for this session. Registering grants no factor: once the user has a passkey,
 * this page sends on to {@code /mfa/passkey}, where the new passkey is used (WebAuthn Level 3 §7.2).
 */
@Controller
final class SignInPasskeyController {

    static final String REGISTER = "/mfa/passkey/register";
    static final String USE = "/mfa/passkey";

    private final Passkeys passkeys;
    private final Factors factors;
    private final MfaPolicy policy;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    SignInPasskeyController(Passkeys passkeys, Factors factors, MfaPolicy policy) {
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    /** The page; a GET changes nothing but the note that this session may register (RFC 9110 §9.2.1). */
    @GetMapping(REGISTER)
    String page(Authentication user, Model model, HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        String name = user.getName();
        if (passkeys.hasAny(name)) {
            return "redirect:" + USE;
        }
        // Only when a phishing-resistant factor is owed: the user's requirement, or the step-up that sent this session
        // here for a client's setting or acr_values. Anyone else adds a passkey on the account page.
        HttpSession current = request.getSession(false);
        boolean sentHere =
                current != null && Boolean.TRUE.equals(current.getAttribute(MfaStepUpFilter.PHISHING_RESISTANT_OWED));
        if (!sentHere && !policy.phishingResistantRequired(name, null, null)) {
            return "redirect:" + PasskeysController.PASSKEYS;
        }
        if (!factors.fresh(user)) {
            // As a stale TOTP enrolment: a session the account pages are open to confirms its factors and adds the
            // passkey there; any other signs in again (the saved authorization request is kept).
            if (policy.hasAllFactors(user) || !policy.otpRequired(name, null, null)) {
                return "redirect:" + TwoStepController.CONFIRM + "?next=" + PasskeysController.PASSKEYS;
            }
            SecurityContext empty = SecurityContextHolder.createEmptyContext();
            SecurityContextHolder.setContext(empty);
            contexts.saveContext(empty, request, response);
            return "redirect:/login";
        }
        request.getSession().setAttribute(PasskeyRegistrationGuard.SIGN_IN_REGISTRATION, name);
        model.addAttribute("user", name);
        return "mfa-passkey-register";
    }
}
