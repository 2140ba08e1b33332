package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.passkeys.PasskeyProperties;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.users.JdbcUserStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The user's passkeys ({@code /account/passkeys}, issue #16): the list (label, created, last used, synced,
 * transports), adding one (the page's script runs Spring Security's registration ceremony, {@code POST
 * /webauthn/register/options} then {@code POST /webauthn/register}, which {@link PasskeyRegistrationGuard} holds to a
 * fresh sign-in), and removing one here, also only on a fresh sign-in ({@link Factors#fresh}). The last passkey of a
 * user whose administrator requires passkeys is never removed: the user would be left with no way to meet the
 * requirement but an operator's reset.
 */
@Controller
final class PasskeysController {

    static final String PASSKEYS = "/account/passkeys";

    private final Passkeys passkeys;
    private final JdbcUserStore users;
    private final Factors factors;
    private final AccountAudit audit;
    private final UserSessions sessions;
    private final PasskeyProperties properties;
    private final PasskeyNotices notices;

    PasskeysController(
            Passkeys passkeys,
            JdbcUserStore users,
            Factors factors,
            AccountAudit audit,
            UserSessions sessions,
            PasskeyProperties properties,
            PasskeyNotices notices) {
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.factors = Objects.requireNonNull(factors, "factors must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
        this.properties = Objects.requireNonNull(properties, "properties must not be null");
        this.notices = Objects.requireNonNull(notices, "notices must not be null");
    }

    /**
     * One passkey as the page shows it.
     *
     * @param id the credential id (the remove form's value)
     * @param label the user's name for it
     * @param created when it was registered
     * @param lastUsed when it last signed in, or empty
     * @param synced whether it is backup-eligible (a synced passkey, WebAuthn Level 3 §6.1.3)
     * @param transports the transports, comma-separated, or empty
     */
    record Row(String id, String label, String created, String lastUsed, boolean synced, String transports) {

        static Row of(Passkeys.Passkey p) {
            return new Row(
                    p.id(),
                    p.label(),
                    Times.utc(p.created()),
                    Times.utc(p.lastUsed()),
                    p.backupEligible(),
                    String.join(", ", p.transports()));
        }
    }

    /** The list, and the form to add one. */
    @GetMapping(PASSKEYS)
    String page(Authentication user, Model model) {
        return show(user, model, List.of());
    }

    /** Removes one of the user's passkeys; another user's id removes nothing. */
    @PostMapping(PASSKEYS + "/remove")
    String remove(
            Authentication user,
            @RequestParam(name = "id", required = false) @Nullable String id,
            HttpServletRequest request,
            HttpServletResponse response,
            Locale locale,
            Model model) {
        if (!factors.fresh(user)) {
            return "redirect:" + TwoStepController.CONFIRM + "?next=" + PASSKEYS;
        }
        String name = user.getName();
        List<FormError> errors = new ArrayList<>();
        if (!Inputs.check(errors, "passkey-list", id, CredentialIds.MAX_LENGTH)
                || !CredentialIds.wellFormed(Objects.requireNonNull(id))) {
            audit.failure(AuditEvents.PASSKEY_REMOVE, name, request, "by", "user", "reason", "input");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return show(user, model, List.of(FormError.of("passkey-list", "account.passkeys.error.unknown")));
        }
        String credential = PasskeyIds.ref(id);
        // The label for the notice, read before the removal (the mail names the passkey by it, never by its id).
        String label = passkeys.list(name).stream()
                .filter(p -> p.id().equals(id))
                .map(Passkeys.Passkey::label)
                .findFirst()
                .orElse("");
        // The requirement's check and the removal are one conditional statement in the store (two removals at once
        // could otherwise both see two passkeys and leave none).
        Passkeys.Removal removal = users.passkeyRequired(name)
                ? passkeys.removeUnlessLast(name, id)
                : (passkeys.remove(name, id) ? Passkeys.Removal.REMOVED : Passkeys.Removal.UNKNOWN);
        if (removal == Passkeys.Removal.LAST) {
            audit.denied(
                    AuditEvents.PASSKEY_REMOVE,
                    name,
                    request,
                    "by",
                    "user",
                    "credential",
                    credential,
                    "reason",
                    "required");
            response.setStatus(HttpServletResponse.SC_CONFLICT);
            return show(user, model, List.of(FormError.of("passkey-list", "account.passkeys.error.required")));
        }
        if (removal != Passkeys.Removal.REMOVED) {
            // Another user's id, or removed meanwhile (another tab): nothing removed.
            audit.failure(
                    AuditEvents.PASSKEY_REMOVE,
                    name,
                    request,
                    "by",
                    "user",
                    "credential",
                    credential,
                    "reason",
                    "unknown");
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return show(user, model, List.of(FormError.of("passkey-list", "account.passkeys.error.unknown")));
        }
        // A removed passkey may be a lost or stolen one: every other sign-in of the user ends (as after a password
        // change), on every node; this session stays.
        HttpSession session = request.getSession(false);
        int ended = sessions.endOthers(name, session == null ? null : session.getId());
        audit.success(
                AuditEvents.PASSKEY_REMOVE,
                name,
                request,
                "by",
                "user",
                "credential",
                credential,
                "sessions_ended",
                Integer.toString(ended));
        notices.removed(name, label, factors.now(), locale);
        return "redirect:" + PASSKEYS + "?removed";
    }

    private String show(Authentication user, Model model, List<FormError> errors) {
        String name = user.getName();
        model.addAttribute("user", name);
        model.addAttribute("passkeys", passkeys.list(name).stream().map(Row::of).toList());
        model.addAttribute("passkeyRequired", users.passkeyRequired(name));
        model.addAttribute("passkeysEnabled", properties.enabled());
        model.addAttribute("errors", errors);
        return "account/passkeys";
    }
}
