package dev.gatehouse.server.dynamicclients;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.ratelimit.RateLimitKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.ToIntBiFunction;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationToken;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Authorization Server's registration provider (RFC 7591 §3) behind the registration mode: with {@code
 * initial-access-token}, a use of a valid initial access token is taken first, in the same transaction as the new
 * client and its registration access token, so a refused registration stores nothing and spends nothing. The policy
 * ({@link RegistrationPolicy}) runs inside Spring's provider, as its validator and client converter. At most {@code
 * max-clients} dynamically registered clients exist: counted before (nothing is spent when full) and again after the
 * new client is written in the same transaction (a registration that went over rolls back), so concurrent
 * registrations overshoot only by those committing at the same moment. Every outcome is audited; refusals with their
 * reason ({@code client_limit_reached} for the cap).
 */
final class RegistrationProvider implements AuthenticationProvider {

    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6750#section-3.1";
    private static final String INVALID_CLIENT_METADATA = "invalid_client_metadata";
    private static final String REGISTRATION_ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc7591#section-3.2.2";

    private final OAuth2ClientRegistrationAuthenticationProvider registration;
    private final DynamicRegistrationProperties.Mode mode;
    private final InitialAccessTokens initialTokens;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final IntSupplier registeredClients;
    private final int maxClients;
    private final ToIntBiFunction<String, String> recordRegistrant;
    private final int maxClientsPerAddress;

    RegistrationProvider(
            OAuth2ClientRegistrationAuthenticationProvider registration,
            DynamicRegistrationProperties.Mode mode,
            InitialAccessTokens initialTokens,
            TransactionTemplate tx,
            AuditLog audit,
            IntSupplier registeredClients,
            int maxClients,
            ToIntBiFunction<String, String> recordRegistrant,
            int maxClientsPerAddress) {
        this.registration = Objects.requireNonNull(registration, "registration must not be null");
        this.mode = Objects.requireNonNull(mode, "mode must not be null");
        this.initialTokens = Objects.requireNonNull(initialTokens, "initialTokens must not be null");
        this.tx = Objects.requireNonNull(tx, "tx must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.registeredClients = Objects.requireNonNull(registeredClients, "registeredClients must not be null");
        this.maxClients = maxClients;
        this.recordRegistrant = Objects.requireNonNull(recordRegistrant, "recordRegistrant must not be null");
        this.maxClientsPerAddress = maxClientsPerAddress;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        OAuth2ClientRegistrationAuthenticationToken request =
                (OAuth2ClientRegistrationAuthenticationToken) authentication;
        @Nullable String address = request.getDetails() instanceof String a ? a : null;
        OAuth2ClientRegistrationAuthenticationToken result;
        String[] spent = new String[1];
        try {
            result = Objects.requireNonNull(tx.execute(status -> {
                if (mode == DynamicRegistrationProperties.Mode.INITIAL_ACCESS_TOKEN) {
                    spent[0] = spendInitialAccessToken(request);
                }
                refuseWhenFull(0);
                OAuth2ClientRegistrationAuthenticationToken registered =
                        (OAuth2ClientRegistrationAuthenticationToken) registration.authenticate(request);
                refuseWhenFull(1); // the new client counts now: over the cap, the transaction rolls back
                if (mode == DynamicRegistrationProperties.Mode.OPEN && address != null) {
                    // Open mode: a few addresses must not fill the global cap (review 4 finding 2). Counted with the
                    // new client; over the quota, the transaction rolls back.
                    int live = recordRegistrant.applyAsInt(
                            Objects.requireNonNull(
                                    registered.getClientRegistration().getClaimAsString("registration_access_token")),
                            RateLimitKeys.address(address));
                    if (live > maxClientsPerAddress) {
                        throw new OAuth2AuthenticationException(
                                new OAuth2Error(
                                        INVALID_CLIENT_METADATA,
                                        "too many clients registered from this address; delete unused ones"
                                                + " (RFC 7592 section 2.3)",
                                        REGISTRATION_ERROR_URI),
                                "address_quota_reached");
                    }
                }
                return registered;
            }));
        } catch (OAuth2AuthenticationException e) {
            refused(e, address);
            throw e;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        if (address != null) {
            details.put("address", address);
        }
        if (spent[0] != null) {
            // Which initial access token was spent (its id, never the token): the clients of a leaked one can be found.
            details.put("initial_access_token", spent[0]);
        }
        String clientId = result.getClientRegistration().getClientId();
        audit.record(new AuditEvent(AuditEvents.CLIENT_REGISTER, AuditEvent.SUCCESS, null, clientId, details));
        return result;
    }

    /**
     * RFC 7591 §3.2.2: refused with {@code invalid_client_metadata} when the dynamically registered clients (with the
     * new one, {@code added}) are more than {@code max-clients}; the error says the server is full, not what it holds.
     */
    private void refuseWhenFull(int added) {
        if (registeredClients.getAsInt() + 1 - added > maxClients) {
            throw new OAuth2AuthenticationException(
                    new OAuth2Error(
                            INVALID_CLIENT_METADATA,
                            "this server accepts no more dynamically registered clients; ask its operator",
                            REGISTRATION_ERROR_URI),
                    "client_limit_reached");
        }
    }

    /** Takes a use of the presented token; returns its id. */
    private @Nullable String spendInitialAccessToken(OAuth2ClientRegistrationAuthenticationToken request) {
        if (!(request.getPrincipal() instanceof RegistrationRequests.PresentedToken presented)) {
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_TOKEN, "an initial access token is required (RFC 7591 §3)", ERROR_URI));
        }
        InitialAccessTokens.Refusal refusal = initialTokens.use(presented.token());
        if (refusal != null) {
            // One answer for every reason (RFC 6750 §3.1); the audit keeps the reason.
            throw new OAuth2AuthenticationException(
                    new OAuth2Error(
                            OAuth2ErrorCodes.INVALID_TOKEN,
                            "the initial access token is invalid, expired, used up or revoked",
                            ERROR_URI),
                    "initial_access_token_" + refusal.name().toLowerCase(java.util.Locale.ROOT));
        }
        return initialTokens.idOf(presented.token());
    }

    private void refused(OAuth2AuthenticationException e, @Nullable String address) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("error", e.getError().getErrorCode());
        if (e.getMessage() != null) {
            details.put("reason", e.getMessage());
        }
        if (address != null) {
            details.put("address", address);
        }
        audit.record(new AuditEvent(AuditEvents.CLIENT_REGISTER, AuditEvent.DENIED, null, null, details));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2ClientRegistrationAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
