package dev.gatehouse.spring.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.IssuedToken;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.mfa.RecoveryCodeRedemption;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.spring.autoconfigure.GatehouseAuthz;
import dev.gatehouse.spring.autoconfigure.GatehouseMfaAutoConfiguration;
import dev.gatehouse.spring.autoconfigure.GatehousePolicyAutoConfiguration;
import dev.gatehouse.spring.autoconfigure.GatehouseResourceServerAutoConfiguration;
import dev.gatehouse.spring.autoconfigure.GatehouseTokenAutoConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * The code of the README's "Everyday use" section, compiled and run. Each README block introduced by {@code
 * <!-- snippet:name -->} must equal the lines between {@code tag::name[]} and {@code end::name[]} in this
 * package's sources or in {@code src/test/resources/readme} (common indentation removed), and every tagged
 * region must appear in the README, so the documented code is the tested code.
 */
class ReadmeSnippetsTests {

    private static final Path README = Path.of("README.md");

    private static final List<Path> SNIPPET_SOURCES =
            List.of(Path.of("src/test/java/dev/gatehouse/spring/readme"), Path.of("src/test/resources/readme"));

    private static final Pattern README_MARKER = Pattern.compile("<!-- snippet:([a-z0-9-]+) -->");

    private static final Pattern TAG = Pattern.compile("^\\s*(?://|#)\\s*tag::([a-z0-9-]+)\\[]\\s*$");

    private static final Pattern END = Pattern.compile("^\\s*(?://|#)\\s*end::([a-z0-9-]+)\\[]\\s*$");

    /** An app that issues its own tokens, accepts them, and checks permissions against the README's RBAC file. */
    private final ApplicationContextRunner app = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    GatehouseTokenAutoConfiguration.class,
                    GatehouseResourceServerAutoConfiguration.class,
                    GatehouseMfaAutoConfiguration.class,
                    GatehousePolicyAutoConfiguration.class))
            .withPropertyValues(
                    "gatehouse.dev-mode=true",
                    "gatehouse.token.issuer=https://login.example.test",
                    "gatehouse.token.audience=api",
                    "gatehouse.resource-server.issuer-uri=https://login.example.test",
                    "gatehouse.policy.rbac-file=src/test/resources/readme/documents-rbac.yaml");

    @AfterEach
    void clearSecurityContext() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void readmeWhenComparedWithTaggedSourcesThenEverySnippetMatchesAndNoneIsMissing() throws IOException {
        Map<String, String> documented = readmeSnippets();
        Map<String, String> tagged = taggedSources();

        assertThat(documented).as("README snippets").isNotEmpty();
        assertThat(documented.keySet())
                .as("README snippets against tagged regions")
                .isEqualTo(tagged.keySet());
        documented.forEach(
                (name, code) -> assertThat(code).as("README snippet '%s'", name).isEqualTo(tagged.get(name)));
    }

    @Test
    void issueTokenWhenIssuedThenValueIsAJwtTheAppsOwnResourceServerAccepts() {
        app.run(context -> {
            TokenIssuer tokenIssuer = context.getBean(TokenIssuer.class);

            // tag::issue-token[]
            IssuedToken token = tokenIssuer.accessToken(AccessTokenRequest.builder("alice", "web") // sub, client_id
                    .audience("api") // the aud the resource server requires (gatehouse.token.audience)
                    .scope("documents.read")
                    .build());
            String bearer = token.value(); // the compact JWT: send it as "Authorization: Bearer " + bearer
            Instant expiresAt = token.expiresAt(); // gatehouse.token.access-token-lifetime (5m) after issuedAt()
            // end::issue-token[]

            Jwt jwt = context.getBean(JwtDecoder.class).decode(bearer);
            assertThat(jwt.getSubject()).isEqualTo("alice");
            assertThat(jwt.getAudience()).containsExactly("api");
            assertThat(jwt.getClaimAsString("scope")).isEqualTo("documents.read");
            assertThat(jwt.getClaimAsString("jti")).isEqualTo(token.jti());
            assertThat(Duration.between(token.issuedAt(), expiresAt)).isEqualTo(Duration.ofMinutes(5));
        });
    }

    @Test
    void tokenClaimsWhenRolesAndTenantSetThenAuthoritiesAndAuthzDecisionsFollowThem() {
        app.run(context -> {
            TokenIssuer tokenIssuer = context.getBean(TokenIssuer.class);

            // tag::token-claims[]
            IssuedToken token = tokenIssuer.accessToken(AccessTokenRequest.builder("alice", "web")
                    .audience("api")
                    .claim("roles", List.of("editor")) // becomes ROLE_editor, and the role @authz checks
                    .claim("tenant", "acme") // @authz's tenant: selects tenant-scoped role assignments
                    .claim("department", "sales") // any other claim: a subject attribute for ABAC conditions
                    .build());
            // end::token-claims[]

            Jwt jwt = context.getBean(JwtDecoder.class).decode(token.value());
            AbstractAuthenticationToken authentication =
                    context.getBean(JwtAuthenticationConverter.class).convert(jwt);
            assertThat(authentication.getAuthorities())
                    .extracting(GrantedAuthority::getAuthority)
                    .contains("ROLE_editor");
            SecurityContextHolder.getContext().setAuthentication(authentication);
            GatehouseAuthz authz = context.getBean("authz", GatehouseAuthz.class);
            assertThat(authz.permits("document:write", "7")).isTrue();
            assertThat(authz.permits("document:read", "7")).isTrue();
            assertThat(authz.permits("document:delete", "7")).isFalse();
        });
    }

    @Test
    void totpWhenEnrolledConfirmedAndVerifiedThenSecondFactorAndRecoveryCodesWork() {
        app.withPropertyValues("gatehouse.mfa.enabled=true", "gatehouse.mfa.issuer=Example")
                .run(context -> {
                    TotpService totp = context.getBean(TotpService.class);
                    RecoveryCodes recoveryCodes = context.getBean(RecoveryCodes.class);
                    String userId = "user-42";
                    AuthenticatorApp phone = new AuthenticatorApp(totp);

                    // tag::totp-enrol[]
                    // A new secret, stored sealed and pending until confirmed; show it once.
                    TotpEnrolment enrolment = totp.enrol(userId, "alice@example.com");
                    String qrCode = enrolment.qrDataUri(); // data:image/png;base64,... for <img src="...">
                    String secret = enrolment.secretBase32(); // for apps that cannot scan
                    // end::totp-enrol[]

                    String firstCode = phone.code(secret, 0);
                    String codeAtSignIn = phone.code(secret, 1);

                    // tag::totp-confirm-and-verify[]
                    // Confirmation: the first code from the app makes the factor usable.
                    TotpVerification confirmation = totp.confirm(userId, firstCode);
                    if (confirmation instanceof TotpVerification.Rejected rejected) {
                        throw new IllegalArgumentException("code refused: " + rejected.reason()); // log it; ask again
                    }

                    // Sign-in: the second step. A code is accepted once (RFC 6238 §5.2); rate-limit the calls.
                    boolean secondFactorPassed =
                            totp.verify(userId, codeAtSignIn).accepted();
                    // end::totp-confirm-and-verify[]

                    assertThat(qrCode).startsWith("data:image/png;base64,");
                    assertThat(enrolment.uri()).startsWith("otpauth://totp/Example:alice@example.com?secret=" + secret);
                    assertThat(totp.status(userId)).isEqualTo(TotpService.FactorStatus.CONFIRMED);
                    assertThat(secondFactorPassed).isTrue();
                    assertThat(totp.verify(userId, codeAtSignIn))
                            .isEqualTo(new TotpVerification.Rejected(TotpVerification.Reason.REPLAYED));

                    // tag::recovery-codes[]
                    List<String> shownOnce = recoveryCodes.generate(userId); // ten codes like 7kq3-m9xd-2hpa
                    // Later, the phone is lost: a recovery code instead of a TOTP code, spent on use.
                    RecoveryCodeRedemption redemption = recoveryCodes.redeem(userId, shownOnce.get(0));
                    boolean suggestNewCodes = redemption.accepted() && redemption.remaining() <= 2;
                    // end::recovery-codes[]

                    assertThat(shownOnce).hasSize(10);
                    assertThat(redemption).isEqualTo(new RecoveryCodeRedemption.Accepted(9));
                    assertThat(suggestNewCodes).isFalse();
                    assertThat(recoveryCodes.redeem(userId, shownOnce.get(0)))
                            .isEqualTo(new RecoveryCodeRedemption.Rejected(9));
                });
    }

    @Test
    void methodSecurityWhenAuthzPermitsThenMethodRunsElseAccessDenied() {
        app.withUserConfiguration(MethodSecurityConfiguration.class, Documents.class)
                .run(context -> {
                    Documents documents = context.getBean(Documents.class);

                    // erin is a viewer by the RBAC file's assignments; frank an editor in tenant acme only.
                    SecurityContextHolder.getContext()
                            .setAuthentication(new TestingAuthenticationToken("erin", "n/a", List.of()));
                    assertThat(documents.read("7")).isEmpty();
                    assertThatThrownBy(() -> documents.write("7", "draft")).isInstanceOf(AccessDeniedException.class);

                    SecurityContextHolder.getContext()
                            .setAuthentication(new TestingAuthenticationToken("bob", "n/a", "ROLE_editor"));
                    documents.write("7", "draft");
                    assertThat(documents.read("7")).isEqualTo("draft");

                    SecurityContextHolder.clearContext();
                    assertThatThrownBy(() -> documents.read("7")).isInstanceOf(AccessDeniedException.class);
                });
    }

    @Test
    void rbacFileWhenCheckedThenPermissionsAreResourceActionPairsWithinTheDeclaredActions() {
        app.run(context -> {
            GatehouseAuthz authz = context.getBean("authz", GatehouseAuthz.class);
            var viewer = new TestingAuthenticationToken("someone", "n/a", "ROLE_viewer");
            var editor = new TestingAuthenticationToken("someone", "n/a", "ROLE_editor");
            var admin = new TestingAuthenticationToken("someone", "n/a", "ROLE_admin");

            SecurityContextHolder.getContext().setAuthentication(viewer);
            assertThat(authz.permits("document:read", "7")).isTrue();
            assertThat(authz.permits("document:write", "7")).isFalse();

            SecurityContextHolder.getContext().setAuthentication(editor);
            assertThat(authz.permits("document:read", "7"))
                    .as("inherited from viewer")
                    .isTrue();
            assertThat(authz.permits("document:write", "7")).isTrue();
            assertThat(authz.permits("document:delete", "7")).isFalse();

            SecurityContextHolder.getContext().setAuthentication(admin);
            assertThat(authz.permits("document:delete", "7")).isTrue();
            assertThat(authz.permits("report:read")).isTrue();
            Decision undeclared = authz.decide("report:export", null);
            assertThat(undeclared).isInstanceOf(Decision.Deny.class);

            SecurityContextHolder.getContext()
                    .setAuthentication(new TestingAuthenticationToken("erin", "n/a", List.of()));
            assertThat(authz.permits("document:read", "7"))
                    .as("assigned by the file")
                    .isTrue();
        });
    }

    /** What the user's authenticator app shows for the enrolled secret. */
    private static final class AuthenticatorApp {

        private final Totp totp;
        private final Instant enrolledAt = Instant.now();

        AuthenticatorApp(TotpService service) {
            this.totp = Totp.of(service.parameters());
        }

        // Steps after enrolment: the first code at step 0, the sign-in code at step 1. Both stay inside the
        // service's window of one step either side even if a step boundary passes while the test runs, and the
        // sign-in step is later than the one the confirmation used, so it is no replay.
        String code(String secret, int stepsAfterEnrolment) {
            Duration later = totp.parameters().period().multipliedBy(stepsAfterEnrolment);
            return totp.code(TotpSecret.fromBase32(secret), enrolledAt.plus(later));
        }
    }

    private static Map<String, String> readmeSnippets() throws IOException {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        Map<String, String> snippets = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = README_MARKER.matcher(lines.get(i).strip());
            if (!marker.matches()) {
                continue;
            }
            String name = marker.group(1);
            assertThat(lines.get(i + 1))
                    .as("the line after <!-- snippet:%s -->", name)
                    .matches("```(java|yaml)");
            List<String> code = new ArrayList<>();
            int line = i + 2;
            while (!lines.get(line).equals("```")) {
                code.add(lines.get(line++));
            }
            assertThat(snippets.put(name, String.join("\n", code)))
                    .as("snippet '%s' appears once in the README", name)
                    .isNull();
            i = line;
        }
        return snippets;
    }

    private static Map<String, String> taggedSources() throws IOException {
        Map<String, String> regions = new TreeMap<>();
        for (Path dir : SNIPPET_SOURCES) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher tag = TAG.matcher(lines.get(i));
                    if (!tag.matches()) {
                        continue;
                    }
                    String name = tag.group(1);
                    List<String> region = new ArrayList<>();
                    int line = i + 1;
                    while (!isEnd(lines.get(line), name)) {
                        region.add(lines.get(line++));
                    }
                    assertThat(regions.put(name, stripCommonIndentation(region)))
                            .as("tag '%s' is defined once", name)
                            .isNull();
                }
            }
        }
        return regions;
    }

    private static boolean isEnd(String line, String name) {
        Matcher end = END.matcher(line);
        return end.matches() && end.group(1).equals(name);
    }

    private static String stripCommonIndentation(List<String> lines) {
        int indent = lines.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                "\n",
                lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }
}
