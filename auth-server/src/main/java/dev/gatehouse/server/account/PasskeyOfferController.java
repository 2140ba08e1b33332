package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.passkeys.PasskeyOfferChoices;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.settings.GatehouseProperties;
import dev.gatehouse.server.signin.SavedRequestRedirect;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * The offer to add a passkey after a password sign-in ({@code /passkeys/offer}, issue #16; {@link PasskeyOffer} sends
 * here): "Add a passkey" runs Spring Security's registration ceremony in the page's script ({@code passkey-register.js},
 * held to the account's rules by {@link PasskeyRegistrationGuard}), whose reload of this page then continues; "Not
 * now" continues; "Don't ask again" is remembered for the user ({@link PasskeyOfferChoices}) and continues. Continuing
 * is always to the request saved before the page, a path on the configured issuer ({@link SavedRequestRedirect}), never
 * to a URL from the request. Every answer is audited ({@code passkey.offer}).
 */
@Controller
final class PasskeyOfferController {

    private final Passkeys passkeys;
    private final PasskeyOfferChoices choices;
    private final AccountAudit audit;
    private final SavedRequestRedirect resume;

    PasskeyOfferController(
            Passkeys passkeys, PasskeyOfferChoices choices, AccountAudit audit, GatehouseProperties properties) {
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.choices = Objects.requireNonNull(choices, "choices must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.resume = new SavedRequestRedirect(properties.configuredIssuer());
    }

    /** The page, while this sign-in is being offered a passkey; otherwise (answered, or added) it continues. */
    @GetMapping(PasskeyOffer.PAGE)
    String page(Authentication user, Model model, HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Pragma", "no-cache");
        String name = user.getName();
        if (!pending(user, request)) {
            return continued(request, response);
        }
        if (passkeys.hasAny(name)) {
            // The page's script reloads it after a registration (itself audited as passkey.register).
            answered(user, request, "added");
            return continued(request, response);
        }
        model.addAttribute("user", name);
        return "passkey-offer";
    }

    /** "Not now" ({@code later}) or "Don't ask again" ({@code never}); anything else is refused. */
    @PostMapping(PasskeyOffer.PAGE)
    String answer(
            Authentication user,
            @RequestParam(name = "choice", required = false) @Nullable String choice,
            HttpServletRequest request,
            HttpServletResponse response) {
        boolean never = "never".equals(choice);
        if (!never && !"later".equals(choice)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "choice must be later or never");
        }
        if (never) {
            // A stale tab's answer is the user's wish too: remembered whether or not this sign-in is being offered.
            choices.decline(user.getName());
        }
        answered(user, request, never ? "never" : "later");
        return continued(request, response);
    }

    private static boolean pending(Authentication user, HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        @Nullable String signIn = PasskeyOffer.signIn(user);
        return session != null && signIn != null && signIn.equals(session.getAttribute(PasskeyOffer.PENDING));
    }

    private void answered(Authentication user, HttpServletRequest request, String choice) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(PasskeyOffer.PENDING);
        }
        audit.success(AuditEvents.PASSKEY_OFFER, user.getName(), request, "choice", choice);
    }

    /** The saved request on the issuer (or {@code /} when none was saved); nothing of this request chooses it. */
    private String continued(HttpServletRequest request, HttpServletResponse response) {
        return "redirect:" + resume.resume(request, response);
    }
}
