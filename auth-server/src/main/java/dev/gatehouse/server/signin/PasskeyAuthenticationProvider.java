package dev.gatehouse.server.signin;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditEvents;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.server.mfa.MfaPolicy;
import dev.gatehouse.server.passkeys.PasskeyCeremonyException;
import dev.gatehouse.server.passkeys.PasskeyIds;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.passkeys.SignatureCounterRegression;
import dev.gatehouse.server.users.JdbcUserStore;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.PublicKeyCredential;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthenticationProvider;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthenticationRequestToken;
import org.springframework.security.web.webauthn.management.WebAuthnRelyingPartyOperations;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The passkey sign-in ({@code POST /login/webauthn}, issue #16): Spring Security's {@link
 * WebAuthnAuthenticationProvider} verifies the assertion (WebAuthn Level 3 §7.2, through the relying party of the
 * {@code passkeys} package), then this provider applies the password sign-in's rules to the user it names:
 *
 * <ul>
 *   <li>a disabled user, or a registration still waiting for its address (stored disabled), is refused, as the
 *       password step refuses them ({@link JdbcUserStore#find}, {@code enabled});
 *   <li>at the second step (a session already signed in with the password) the passkey must be the same user's: the
 *       filter then merges the factors; another user's passkey is refused, never a switch of account;
 *   <li>the result is the password step's kind of authentication: the stored name as principal, the roles, and the
 *       passkey factor ({@link FactorGrantedAuthority#WEBAUTHN_AUTHORITY}) stamped with the injected clock, so the
 *       session store, Spring Authorization Server's stored authorizations (whose JSON allow-list has no WebAuthn
 *       types), the sign-in revocation check and {@code auth_time} read it as they read a password sign-in; a
 *       device-bound passkey (not backup eligible) adds {@link MfaPolicy#PASSKEY_DEVICE_BOUND_AUTHORITY}, no factor
 *       but what {@code amr} reads ({@code hwk}, else {@code swk}, RFC 8176 §2);
 *   <li>audited: {@code passkey.use} (step {@code sign_in} or {@code second_factor}), and {@code signin.success}
 *       for a sign-in; a refused assertion {@code passkey.use} failure with its reason, and a signature counter that
 *       did not grow {@code passkey.clone_suspected} (WebAuthn Level 3 §6.1.1). Credentials are named by a short
 *       hash of their id, never the id.
 * </ul>
 *
 * Every refusal is the same {@link BadCredentialsException} with a generic message.
 */
public final class PasskeyAuthenticationProvider implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(PasskeyAuthenticationProvider.class);
    private static final String SIGN_IN = "sign_in";
    private static final String SECOND_FACTOR = "second_factor";

    private final WebAuthnAuthenticationProvider webAuthn;
    private final UserDetailsService userDetails;
    private final Passkeys passkeys;
    private final JdbcUserStore users;
    private final AuditLog audit;
    private final Clock clock;

    /**
     * Creates the provider.
     *
     * @param relyingParty the relying party that verifies assertions (the {@code passkeys} package's)
     * @param passkeys the stored passkeys: whether the one used is backup eligible (synced)
     * @param users the user store (enabled flag and roles)
     * @param audit records every use and refusal
     * @param clock stamps the passkey factor (the ID token's {@code auth_time})
     */
    public PasskeyAuthenticationProvider(
            WebAuthnRelyingPartyOperations relyingParty,
            Passkeys passkeys,
            JdbcUserStore users,
            AuditLog audit,
            Clock clock) {
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.userDetails = userDetails(users);
        this.webAuthn = new WebAuthnAuthenticationProvider(
                Objects.requireNonNull(relyingParty, "relyingParty must not be null"), userDetails);
    }

    /**
     * The users as Spring Security's {@link WebAuthnAuthenticationProvider} loads them, from the user store (for
     * Spring's WebAuthn configurer, which requires one).
     *
     * @return a {@link UserDetailsService} that knows no passwords
     */
    public UserDetailsService userDetailsService() {
        return userDetails;
    }

    private static UserDetailsService userDetails(JdbcUserStore users) {
        return username -> {
            JdbcUserStore.StoredUser user =
                    users.find(username).orElseThrow(() -> new UsernameNotFoundException("no such user"));
            return User.withUsername(user.username())
                    .password("")
                    .disabled(!user.enabled())
                    .authorities(users.roles(user.username()).stream()
                            .map(role -> "ROLE_" + role)
                            .toArray(String[]::new))
                    .build();
        };
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        // Taken before the assertion is checked, as the password step does: a sign-in racing an operator's
        // revocation (SignInSessions.endAll) is then older than it and ends with it.
        Instant started = clock.instant();
        WebAuthnAuthenticationRequestToken request = (WebAuthnAuthenticationRequestToken) authentication;
        @Nullable Authentication current = signedIn();
        String step = current == null ? SIGN_IN : SECOND_FACTOR;
        String address = address();
        @Nullable String credential = credentialRef(request);
        Authentication verified;
        try {
            verified = webAuthn.authenticate(request);
        } catch (AuthenticationException e) {
            throw refused(e, step, address, credential, current);
        }
        String username = verified.getName();
        Optional<JdbcUserStore.StoredUser> user = users.find(username);
        if (user.isEmpty() || !user.get().enabled()) {
            throw refused("disabled", step, address, credential, username);
        }
        String stored = user.get().username();
        if (current != null && !current.getName().equals(stored)) {
            // Another user's passkey at the second step: refused, and audited under the signed-in user.
            throw refused("other_user", step, address, credential, current.getName());
        }
        List<GrantedAuthority> authorities = new ArrayList<>();
        authorities.add(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.WEBAUTHN_AUTHORITY)
                .issuedAt(started)
                .build());
        if (deviceBound(stored, request)) {
            authorities.add(new SimpleGrantedAuthority(MfaPolicy.PASSKEY_DEVICE_BOUND_AUTHORITY));
        }
        for (String role : users.roles(stored)) {
            authorities.add(new SimpleGrantedAuthority("ROLE_" + role));
        }
        Map<String, String> details = new LinkedHashMap<>();
        put(details, "credential", credential);
        details.put("step", step);
        details.put("address", address);
        audit.record(new AuditEvent(AuditEvents.PASSKEY_USE, AuditEvent.SUCCESS, stored, null, details));
        if (current == null) {
            Map<String, String> signIn = new LinkedHashMap<>();
            signIn.put("address", address);
            signIn.put("factor", "passkey");
            audit.record(new AuditEvent(AuditEvents.SIGNIN_SUCCESS, AuditEvent.SUCCESS, stored, null, signIn));
        }
        return UsernamePasswordAuthenticationToken.authenticated(stored, null, authorities);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return WebAuthnAuthenticationRequestToken.class.isAssignableFrom(authentication);
    }

    /** A refused assertion: audited with the relying party's reason, then the one generic refusal. */
    private BadCredentialsException refused(
            AuthenticationException e,
            String step,
            String address,
            @Nullable String credential,
            @Nullable Authentication current) {
        @Nullable PasskeyCeremonyException ceremony = ceremony(e);
        if (ceremony instanceof SignatureCounterRegression regression) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("credential", regression.credentialRef());
            details.put("step", step);
            details.put("address", address);
            audit.record(new AuditEvent(
                    AuditEvents.PASSKEY_CLONE_SUSPECTED,
                    AuditEvent.DENIED,
                    // The passkey's owner, whoever was signed in: the account whose authenticator may be cloned.
                    regression.owner() != null ? regression.owner() : current == null ? null : current.getName(),
                    null,
                    details));
        }
        String reason = ceremony != null
                ? ceremony.reason().code()
                : e.getCause() instanceof UsernameNotFoundException ? "unknown_user" : "refused";
        log.debug("passkey assertion refused: {}", reason);
        return refused(reason, step, address, credential, current == null ? null : current.getName());
    }

    private BadCredentialsException refused(
            String reason, String step, String address, @Nullable String credential, @Nullable String actor) {
        Map<String, String> details = new LinkedHashMap<>();
        put(details, "credential", credential);
        details.put("step", step);
        details.put("reason", reason);
        details.put("address", address);
        audit.record(new AuditEvent(AuditEvents.PASSKEY_USE, AuditEvent.FAILURE, actor, null, details));
        return new BadCredentialsException("The passkey was not accepted");
    }

    private static @Nullable PasskeyCeremonyException ceremony(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PasskeyCeremonyException ceremony) {
                return ceremony;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /**
     * Whether the verified credential is device-bound: stored for this user and registered without the BE (backup
     * eligible) flag, which never changes for a credential (WebAuthn Level 3 §6.1.3). In any doubt it counts as
     * synced, so {@code amr} never claims a hardware-secured key it cannot vouch for (RFC 8176 §2 {@code hwk}).
     */
    private boolean deviceBound(String username, WebAuthnAuthenticationRequestToken request) {
        try {
            PublicKeyCredential<?> credential = request.getWebAuthnRequest().getPublicKey();
            @Nullable Bytes rawId = credential == null ? null : credential.getRawId();
            if (rawId == null) {
                return false;
            }
            String id = PasskeyIds.encode(rawId.getBytes());
            return passkeys.list(username).stream().anyMatch(p -> p.id().equals(id) && !p.backupEligible());
        } catch (RuntimeException e) {
            log.debug("passkey backup eligibility unknown, counted as synced");
            return false;
        }
    }

    /** The session's user, when this assertion is a second step after the password. */
    private static @Nullable Authentication signedIn() {
        @Nullable Authentication current = SecurityContextHolder.getContext().getAuthentication();
        return current != null && current.isAuthenticated() && !(current instanceof AnonymousAuthenticationToken)
                ? current
                : null;
    }

    /** The credential as audit names it (a short hash of the raw id), or {@code null} for an unusable one. */
    private static @Nullable String credentialRef(WebAuthnAuthenticationRequestToken request) {
        try {
            PublicKeyCredential<?> credential = request.getWebAuthnRequest().getPublicKey();
            @Nullable Bytes rawId = credential == null ? null : credential.getRawId();
            return rawId == null || rawId.getBytes().length > PasskeyIds.MAX_CREDENTIAL_ID_BYTES
                    ? null
                    : PasskeyIds.ref(rawId.getBytes());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String address() {
        @Nullable RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes servlet) {
            HttpServletRequest request = servlet.getRequest();
            @Nullable String address = request.getRemoteAddr();
            return address == null ? "unknown" : address;
        }
        return "unknown";
    }

    private static void put(Map<String, String> details, String key, @Nullable String value) {
        if (value != null) {
            details.put(key, value);
        }
    }
}
