package dev.gatehouse.server.admin;

import dev.gatehouse.server.dynamicclients.InitialAccessTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/initial-access-tokens}: the initial access tokens of dynamic client registration (RFC 7591 §3), for
 * {@code gatehouse.server.registration.mode=initial-access-token}. A token is shown once, when minted; the server keeps
 * its SHA-256 only. Lists show uses left, expiry and revocation, never the token. Revoking stops further
 * registrations with it; clients already registered stay (delete them at {@code /admin/clients}).
 */
@RestController
@RequestMapping(path = "/admin/initial-access-tokens", produces = "application/json")
@Tag(name = "initial-access-tokens", description = "Initial access tokens for dynamic client registration")
final class InitialAccessTokenAdminController {

    private final InitialAccessTokens tokens;

    InitialAccessTokenAdminController(InitialAccessTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * A new initial access token.
     *
     * @param description what or whom it is for, shown in lists
     * @param maxUses how many registrations it allows; default 1 (one-time)
     * @param expiresInSeconds how long it works; default 86400 (a day), at most 90 days
     */
    record MintRequest(
            @NotBlank(message = "description is required")
            @Size(max = 200, message = "description must be at most 200 characters")
            @Pattern(regexp = "[^\\p{Cntrl}]*", message = "description must not contain control characters")
            String description,

            @Nullable
            @Min(value = 1, message = "maxUses must be at least 1")
            @Max(value = InitialAccessTokens.MAX_USES, message = "maxUses must be at most 1000")
            Integer maxUses,

            @Nullable
            @Min(value = 60, message = "expiresInSeconds must be at least 60")
            @Max(value = 7_776_000, message = "expiresInSeconds must be at most 7776000 (90 days)")
            Long expiresInSeconds)
            implements AdminRequest {}

    /**
     * A minted token, shown once.
     *
     * @param token the bearer token for {@code POST /oauth2/register} ({@code Authorization: Bearer ...})
     * @param initialAccessToken what is stored about it
     */
    record Minted(String token, InitialAccessTokens.View initialAccessToken) {
        @Override
        public String toString() {
            return "Minted[" + initialAccessToken.id() + "]";
        }
    }

    @PostMapping(consumes = "application/json")
    @Audited("admin.initial_access_token.create")
    @Operation(summary = "Mint an initial access token; the token is in this response only")
    ResponseEntity<Minted> mint(@Valid @RequestBody @NotNull MintRequest body, HttpServletRequest request) {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        InitialAccessTokens.Minted minted = tokens.mint(
                body.description(),
                body.maxUses() == null ? 1 : body.maxUses(),
                Duration.ofSeconds(body.expiresInSeconds() == null ? 86_400 : body.expiresInSeconds()),
                caller == null ? null : caller.getName());
        request.setAttribute(AdminAuditInterceptor.SUBJECT, minted.view().id());
        return ResponseEntity.created(URI.create(
                        "/admin/initial-access-tokens/" + minted.view().id()))
                .cacheControl(CacheControl.noStore())
                .body(new Minted(minted.token(), minted.view()));
    }

    @GetMapping
    @Operation(summary = "List initial access tokens, newest first (never the tokens)")
    List<InitialAccessTokens.View> list() {
        return tokens.list(500);
    }

    @DeleteMapping("/{id}")
    @Audited(value = "admin.initial_access_token.revoke", subject = "id")
    @Operation(summary = "Revoke an initial access token: no further registrations with it")
    ResponseEntity<Void> revoke(@PathVariable String id) {
        if (!tokens.revoke(id)) {
            throw AdminException.notFound("Initial access token '" + AdminSecurityResponses.cut(id) + "'");
        }
        return ResponseEntity.noContent().build();
    }
}
