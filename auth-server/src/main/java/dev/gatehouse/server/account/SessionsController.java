package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvents;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * The user's browser sessions on every node ({@code /account/sessions}): when each began and was last used, which is
 * this one; end one, or every other. A handle that is not one of the user's own sessions (another user's, an ended
 * one, a made-up one) is answered 404, the same for all.
 */
@Controller
final class SessionsController {

    private final UserSessions sessions;
    private final AccountAudit audit;

    SessionsController(UserSessions sessions, AccountAudit audit) {
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** The list. */
    @GetMapping("/account/sessions")
    String list(Authentication user, HttpServletRequest request, Model model) {
        model.addAttribute("user", user.getName());
        model.addAttribute("sessions", sessions.of(user.getName(), currentId(request)));
        model.addAttribute("errors", List.of());
        return "account/sessions";
    }

    /** Ends one session; ending this one signs out. */
    @PostMapping("/account/sessions/end")
    String end(
            Authentication user,
            @RequestParam(name = "session", required = false) @Nullable String handle,
            HttpServletRequest request) {
        String name = user.getName();
        List<FormError> errors = new ArrayList<>();
        if (!Inputs.check(errors, "session", handle, Inputs.MAX_ID)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        Optional<String> found = sessions.find(name, Objects.requireNonNull(handle));
        if (found.isEmpty()) {
            audit.failure(AuditEvents.ACCOUNT_SESSION_END, name, request, "reason", "not_found");
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        String id = found.get();
        boolean current = id.equals(currentId(request));
        audit.success(
                AuditEvents.ACCOUNT_SESSION_END,
                name,
                request,
                "sessions_ended",
                "1",
                "current",
                Boolean.toString(current));
        if (current) {
            HttpSession session = Objects.requireNonNull(request.getSession(false));
            sessions.endingCurrent(name, session);
            SecurityContextHolder.clearContext();
            session.invalidate();
            return "redirect:/login?logout";
        }
        sessions.end(name, id);
        return "redirect:/account/sessions?ended";
    }

    /** Ends every session of the user but this one. */
    @PostMapping("/account/sessions/end-others")
    String endOthers(Authentication user, HttpServletRequest request) {
        int ended = sessions.endOthers(user.getName(), currentId(request));
        audit.success(
                AuditEvents.ACCOUNT_SESSION_END, user.getName(), request, "sessions_ended", Integer.toString(ended));
        return "redirect:/account/sessions?ended";
    }

    private static @Nullable String currentId(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : session.getId();
    }
}
