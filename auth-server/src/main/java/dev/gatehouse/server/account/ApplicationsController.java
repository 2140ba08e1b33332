package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.tokens.StoredAuthorizations;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * The applications that hold the user's consent or tokens ({@code /account/applications}), with their names and
 * scopes; revoking one removes the consent and every authorization of the user for that client, through Spring
 * Authorization Server's services, so its tokens stop working at once (introspection answers inactive, a refresh is
 * refused). A client the user has nothing with is answered 404, like an unknown one.
 */
@Controller
final class ApplicationsController {

    /**
     * One application as the page shows it.
     *
     * @param clientId the client's {@code client_id}
     * @param name the client's name
     * @param scopes the scopes consented or granted
     * @param lastUsedAt when a token or code was last issued to it for the user, if any
     */
    record View(
            String clientId,
            String name,
            List<String> scopes,
            @Nullable Instant lastUsedAt) {

        /** When it was last used, as the page shows it; empty if never. */
        public String lastUsed() {
            return Times.utc(lastUsedAt);
        }
    }

    private static final int MAX_AUTHORIZATIONS = 1000;

    private final StoredAuthorizations stored;
    private final RegisteredClientRepository clients;
    private final OAuth2AuthorizationConsentService consents;
    private final OAuth2AuthorizationService authorizations;
    private final AccountAudit audit;

    ApplicationsController(
            StoredAuthorizations stored,
            RegisteredClientRepository clients,
            OAuth2AuthorizationConsentService consents,
            OAuth2AuthorizationService authorizations,
            AccountAudit audit) {
        this.stored = Objects.requireNonNull(stored, "stored must not be null");
        this.clients = Objects.requireNonNull(clients, "clients must not be null");
        this.consents = Objects.requireNonNull(consents, "consents must not be null");
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** The list. */
    @GetMapping("/account/applications")
    String list(Authentication user, Model model) {
        String name = user.getName();
        Map<String, TreeSet<String>> scopes = new LinkedHashMap<>();
        Map<String, Instant> lastUsed = new LinkedHashMap<>();
        for (StoredAuthorizations.Consent c : stored.consentsOf(name)) {
            scopes.computeIfAbsent(c.registeredClientId(), k -> new TreeSet<>()).addAll(c.scopes());
        }
        for (StoredAuthorizations.Summary s : stored.ofUser(name, MAX_AUTHORIZATIONS, 0)) {
            scopes.computeIfAbsent(s.registeredClientId(), k -> new TreeSet<>()).addAll(s.scopes());
            Instant at = s.issuedAt();
            if (at != null) {
                lastUsed.merge(s.registeredClientId(), at, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<View> views = new ArrayList<>();
        scopes.forEach((registeredId, granted) -> {
            RegisteredClient client = clients.findById(registeredId);
            if (client != null) {
                views.add(new View(
                        client.getClientId(),
                        client.getClientName(),
                        List.copyOf(granted),
                        lastUsed.get(registeredId)));
            }
        });
        views.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
        model.addAttribute("user", name);
        model.addAttribute("applications", views);
        return "account/applications";
    }

    /** Revokes an application: the consent and every authorization of the user for it. */
    @PostMapping("/account/applications/revoke")
    String revoke(
            Authentication user,
            @RequestParam(name = "client_id", required = false) @Nullable String clientId,
            HttpServletRequest request) {
        String name = user.getName();
        if (!Inputs.check(new ArrayList<>(), "client_id", clientId, Inputs.MAX_ID)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        RegisteredClient client = clients.findByClientId(Objects.requireNonNull(clientId));
        if (client == null) {
            audit.failure(AuditEvents.ACCOUNT_APPLICATION_REVOKE, name, request, "reason", "not_found");
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        OAuth2AuthorizationConsent consent = consents.findById(client.getId(), name);
        List<String> ids = stored.idsOfUserAndClient(name, client.getId());
        if (consent == null && ids.isEmpty()) {
            audit.failure(AuditEvents.ACCOUNT_APPLICATION_REVOKE, name, request, "reason", "not_found");
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
        if (consent != null) {
            consents.remove(consent);
        }
        int revoked = 0;
        for (String id : ids) {
            OAuth2Authorization authorization = authorizations.findById(id);
            if (authorization != null && name.equals(authorization.getPrincipalName())) {
                authorizations.remove(authorization);
                revoked++;
            }
        }
        audit.success(
                AuditEvents.ACCOUNT_APPLICATION_REVOKE,
                name,
                request,
                "client_id",
                client.getClientId(),
                "revoked",
                Integer.toString(revoked));
        return "redirect:/account/applications?revoked";
    }
}
