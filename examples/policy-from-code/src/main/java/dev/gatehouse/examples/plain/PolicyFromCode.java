package dev.gatehouse.examples.plain;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.IssuedToken;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.Verification;
import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.CombiningAlgorithm;
import dev.gatehouse.core.policy.CompositePolicyEngine;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * auth-core from plain Java, no Spring: hash and verify a password, issue and verify a token, enrol and
 * verify TOTP, and make RBAC and ABAC decisions, printing each result. Run: {@code java -jar
 * examples/policy-from-code/target/policy-from-code.jar}.
 */
public final class PolicyFromCode {

    private PolicyFromCode() {}

    /**
     * Runs the tour.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        run(System.out, System.getenv("GATEHOUSE_OPA_URL"));
    }

    static void run(PrintStream out, @org.jspecify.annotations.Nullable String opaUrl) {
        passwords(out);
        tokens(out);
        totp(out);
        decisions(out);
        opa(out, opaUrl);
    }

    /**
     * Asks a real OPA server (started with {@code opa run --server examples/resource-server/policy/documents.rego})
     * through the same decision API. Skipped, saying so, when no URL is given.
     */
    static void opa(PrintStream out, @org.jspecify.annotations.Nullable String opaUrl) {
        out.println("== OPA");
        if (opaUrl == null || opaUrl.isBlank()) {
            out.println("skipped: set GATEHOUSE_OPA_URL to an OPA server running documents.rego");
            return;
        }
        try (dev.gatehouse.core.policy.opa.OpaRestEngine engine = dev.gatehouse.core.policy.opa.OpaRestEngine.builder()
                .url(java.net.URI.create(opaUrl))
                .document("documents/decision")
                .build()) {
            // Ask for readiness first, as an application would at start-up: it also opens the connection, so the
            // first decision is not charged the client's cold start against its deadline.
            out.println("OPA ready                  -> " + engine.healthy());
            PolicyDecisionPoint pdp = PolicyDecisionPoint.of(engine);
            print(
                    out,
                    "read classified (OPA)",
                    pdp,
                    Subject.of("erin", "admin"),
                    "read",
                    new Resource("document", "d-4", Map.of("classified", true)),
                    11);
            print(
                    out,
                    "read ordinary (OPA)",
                    pdp,
                    Subject.of("erin", "admin"),
                    "read",
                    new Resource("document", "d-1", Map.of()),
                    11);
        }
    }

    static void passwords(PrintStream out) {
        PasswordHasher hasher = PasswordHasher.defaults();
        PasswordPolicy policy = PasswordPolicy.defaults();
        out.println("== Passwords");
        out.println(
                "policy(\"password1\")        -> " + policy.check("password1").message());
        out.println("policy(passphrase)         -> "
                + policy.check("lantern quarry velvet orbit", "alice").message());
        String stored = hasher.hash("lantern quarry velvet orbit");
        out.println("hash                       -> " + stored.substring(0, stored.indexOf("$", 30)) + "$...");
        Verification ok = hasher.verify("lantern quarry velvet orbit", stored);
        Verification wrong = hasher.verify("lantern quarry velvet orbiT", stored);
        out.println("verify(right)              -> matched=" + ok.matched() + " rehash=" + ok.needsRehash());
        out.println("verify(wrong)              -> matched=" + wrong.matched());
        Verification legacy = hasher.verify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");
        out.println("verify(legacy bcrypt)      -> matched=" + legacy.matched() + " rehash=" + legacy.needsRehash()
                + " upgradedTo="
                + legacy.upgradedHash().map(h -> h.substring(0, 10)).orElse("-"));
    }

    static void tokens(PrintStream out) {
        KeyRing ring = KeyRing.builder().build(); // in memory: fine for a demo, not for a server
        TokenIssuer issuer =
                TokenIssuer.builder(ring, "https://login.example.test").build();
        TokenVerifier verifier = TokenVerifier.builder()
                .jwks(ring.jwksJson()) // what a resource server would fetch from the issuer
                .issuer("https://login.example.test")
                .audience("documents-api")
                .accessTokens()
                .build();
        out.println("== Tokens");
        IssuedToken token = issuer.accessToken(AccessTokenRequest.builder("alice", "web-app")
                .audience("documents-api")
                .scope("documents:read")
                .build());
        VerifiedToken verified = verifier.verify(token.value());
        out.println("issue+verify               -> sub=" + verified.subject().orElse("?") + " scopes="
                + verified.scopes() + " alg=" + verified.algorithm().joseName());
        IssuedToken other = issuer.accessToken(AccessTokenRequest.builder("alice", "web-app")
                .audience("billing-api")
                .build());
        try {
            verifier.verify(other.value());
        } catch (TokenException e) {
            out.println("verify(other audience)     -> refused: " + e.code());
        }
        try {
            verifier.verify("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.");
        } catch (TokenException e) {
            out.println("verify(alg none)           -> refused: " + e.code());
        }
    }

    static void totp(PrintStream out) {
        TotpService service = TotpService.builder()
                .issuer("Example")
                .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
                .build();
        out.println("== TOTP");
        TotpEnrolment enrolment = service.enrol("user-42", "alice@example.test");
        out.println(
                "enrol                      -> " + enrolment.uri().replaceAll("secret=[A-Z2-7]+", "secret=<hidden>"));
        String code =
                Totp.of(TotpParameters.defaults()).code(TotpSecret.fromBase32(enrolment.secretBase32()), Instant.now());
        out.println("confirm(first code)        -> " + outcome(service.confirm("user-42", code)));
        out.println("verify(same code again)    -> " + outcome(service.verify("user-42", code)));
    }

    /** Accepted, or why not, as the printed line says it. */
    static String outcome(TotpVerification v) {
        return v instanceof TotpVerification.Rejected rejected
                ? rejected.reason().name()
                : "ACCEPTED";
    }

    static void decisions(PrintStream out) {
        RbacModel roles = RbacModel.builder("documents-rbac")
                .action("read")
                .action("write")
                .action("delete")
                .role("viewer", java.util.List.of(), "document:read")
                .role("editor", java.util.List.of("viewer"), "document:write")
                .role("admin", java.util.List.of("editor"), "document:delete")
                .build();
        AbacPolicy ownership = AbacPolicy.parse(resource("documents-abac.yaml"));
        // RBAC grants by role; ABAC adds owner edits in business hours and vetoes locked documents.
        PolicyDecisionPoint pdp = PolicyDecisionPoint.of(CompositePolicyEngine.builder()
                .id("documents")
                .algorithm(CombiningAlgorithm.DENY_OVERRIDES)
                .add(RbacEngine.of(roles))
                .add(AbacEngine.of(ownership))
                .build());
        out.println("== Decisions");
        Resource doc = new Resource("document", "d-7", Map.of("owner", "bob", "locked", false));
        Resource locked = new Resource("document", "d-8", Map.of("owner", "bob", "locked", true));
        print(out, "viewer reads", pdp, Subject.of("carol", "viewer"), "read", doc, 11);
        print(out, "viewer writes", pdp, Subject.of("carol", "viewer"), "write", doc, 11);
        print(out, "owner writes at 11:00", pdp, Subject.of("bob"), "write", doc, 11);
        print(out, "owner writes at 22:00", pdp, Subject.of("bob"), "write", doc, 22);
        print(out, "editor writes locked", pdp, Subject.of("dave", "editor"), "write", locked, 11);
        print(out, "admin shreds (unknown)", pdp, Subject.of("erin", "admin"), "shred", doc, 11);
    }

    private static void print(
            PrintStream out,
            String label,
            PolicyDecisionPoint pdp,
            Subject subject,
            String action,
            Resource resource,
            int hour) {
        Decision d = pdp.decide(AccessRequest.builder()
                .subject(subject)
                .action(action)
                .resource(resource)
                .context(Map.of("hour", hour))
                .build());
        out.printf("%-26s -> %s (%s)%n", label, d.permitted() ? "PERMIT" : "DENY", d.reason());
    }

    private static String resource(String name) {
        try (InputStream in = Objects.requireNonNull(PolicyFromCode.class.getResourceAsStream("/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
