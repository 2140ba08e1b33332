package dev.gatehouse.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The disaster-recovery drill, as an operator runs it (auth-server/README.md, "Backup and restore"), on a cluster of
 * its own (one node, real PostgreSQL, nginx, fixed ports so the issuer stays the same): users, a client, a TOTP factor,
 * access and refresh tokens and audit events are made; {@code bin/backup postgresql} dumps the database; the database
 * is destroyed; a fresh one is made and {@code bin/restore postgresql} first refuses the backup under another master
 * key (naming both key ids, writing nothing), then restores it; the server starts again with the same master key. The
 * earlier tokens verify and introspect active, the refresh token refreshes, the TOTP factor signs in, and the audit
 * chain verifies from its anchor. Prints the backup's size and the recovery time (RTO: restore, start to readiness,
 * first introspection).
 */
@Order(0)
class DisasterRecoveryDrillTests {

    /** Ports 9640-9642: PostgreSQL, nginx (the issuer), the node. */
    private static final int FIRST_PORT = 9640;

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern TOTP_KEY = Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>");
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    @Test
    void drillWhenDatabaseDestroyedAndBackupRestoredThenTokensTotpAndAuditChainSurvive() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String masterKey = Base64.getEncoder().encodeToString(key);
        Path work = Files.createTempDirectory(
                Files.createDirectories(Path.of("target").toAbsolutePath()), "dr-");
        Path dump = work.resolve("backups/gatehouse.dump");
        Files.createDirectories(dump.getParent());
        String pgUri = "postgresql://postgres@127.0.0.1:" + FIRST_PORT + "/postgres";

        // 1. Before the disaster: state worth keeping.
        Before before;
        try (Cluster cluster = builder(work, masterKey).start()) {
            before = makeState(cluster);
            Commands.Result backup = Commands.run(
                    ROOT,
                    Map.of(),
                    List.of(ROOT.resolve("bin/backup").toString(), "postgresql", pgUri, dump.toString()));
            assertThat(backup.status()).as(backup.toString()).isZero();
        }
        assertThat(before.masterKeyId())
                .isEqualTo(MasterKey.fromBase64(masterKey).id());
        long backupBytes = Files.size(dump);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)))
                .isEqualTo("rw-------");
        assertNoMasterKeyAndNoSessionsIn(dump, key, masterKey);

        // 2. The disaster: the database is gone.
        deleteTree(work.resolve("postgres"));

        // 3. A fresh database: the wrong master key is refused before anything is written, then the restore.
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        String otherMasterKey = Base64.getEncoder().encodeToString(otherKey);
        long[] restoreStarted = new long[1];
        long[] restoreEnded = new long[1];
        Cluster.Builder restored = builder(work, masterKey).beforeNodes(jdbcUrl -> {
            Commands.Result wrong = Commands.run(
                    ROOT,
                    Map.of("GATEHOUSE_MASTER_KEY", otherMasterKey),
                    List.of(ROOT.resolve("bin/restore").toString(), "postgresql", dump.toString(), pgUri));
            assertThat(wrong.status()).as(wrong.toString()).isEqualTo(3);
            assertThat(wrong.err())
                    .as("names the backup's key id and the configured one")
                    .contains("sealed under master key " + before.masterKeyId())
                    .contains("is " + MasterKey.fromBase64(otherMasterKey).id())
                    .doesNotContain(otherMasterKey)
                    .doesNotContain(masterKey);
            assertThat(tablesIn(jdbcUrl))
                    .as("nothing written by the refused restore")
                    .isZero();

            restoreStarted[0] = System.nanoTime();
            Commands.Result restore = Commands.run(
                    ROOT,
                    Map.of("GATEHOUSE_MASTER_KEY", masterKey),
                    List.of(ROOT.resolve("bin/restore").toString(), "postgresql", dump.toString(), pgUri));
            restoreEnded[0] = System.nanoTime();
            assertThat(restore.status()).as(restore.toString()).isZero();
            assertThat(restore.out()).contains("master key check passed");
        });
        try (Cluster cluster = restored.start()) {
            long started = System.nanoTime();
            // 4. The same master key: the earlier tokens verify and introspect active.
            Map<String, Object> introspected =
                    Flows.introspect(cluster.issuer(), before.serviceToken(), "dr-service", before.serviceSecret());
            long firstIntrospection = System.nanoTime();
            assertThat(introspected).containsEntry("active", true);
            assertThat(Flows.introspect(
                            cluster.issuer(),
                            before.userAccessToken(),
                            SharedCluster.Demo.SERVICE,
                            before.demo().serviceSecret()))
                    .containsEntry("active", true)
                    .containsEntry("sub", SharedCluster.Demo.USER);
            // Access tokens are typed at+jwt (RFC 9068 §2.1); the signature and the dates are what is checked here.
            NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(cluster.issuer() + "/oauth2/jwks")
                    .validateType(false)
                    .build();
            decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                    new JwtTypeValidator("at+jwt"),
                    new JwtTimestampValidator(),
                    new JwtIssuerValidator(cluster.issuer())));
            Jwt service = decoder.decode(before.serviceToken());
            assertThat(service.getIssuer()).hasToString(cluster.issuer());
            assertThat(decoder.decode(before.userAccessToken()).getSubject()).isEqualTo(SharedCluster.Demo.USER);

            // The refresh token refreshes.
            HttpResponse<String> refreshed = Flows.refresh(
                    new Http(cluster.issuer()),
                    SharedCluster.Demo.SERVICE,
                    before.demo().serviceSecret(),
                    before.refreshToken());
            assertThat(Flows.outcome(refreshed)).isEqualTo("200");

            // The TOTP factor signs in (its sealed secret opens under the same master key).
            assertThat(signInWithTotp(cluster, before)).isNotBlank();

            // The audit chain verifies from its anchor, and holds at least every event made before the backup.
            Commands.Result audit = Commands.run(
                    ROOT,
                    Map.of("GATEHOUSE_MASTER_KEY", masterKey, "SPRING_DATASOURCE_USERNAME", "postgres"),
                    List.of(ROOT.resolve("bin/restore").toString(), "verify-audit", cluster.jdbcUrl()));
            assertThat(audit.status()).as(audit.toString()).isZero();
            assertThat(audit.out()).contains("audit chain intact");
            assertThat(auditEvents(cluster.jdbcUrl())).isGreaterThanOrEqualTo(before.auditEvents());

            double restoreSeconds = (restoreEnded[0] - restoreStarted[0]) / 1e9;
            double rto = (firstIntrospection - restoreStarted[0]) / 1e9;
            System.out.printf(
                    "DR drill: backup %d bytes (pg_dump custom format); RTO %.1f s = restore %.1f s + start to"
                            + " readiness %.1f s + first introspection %.2f s (1 node, load average %s)%n",
                    backupBytes,
                    rto,
                    restoreSeconds,
                    (started - restoreEnded[0]) / 1e9,
                    (firstIntrospection - started) / 1e9,
                    loadAverage());
        }
    }

    /** What the drill made before the backup, to find again after the restore. */
    private record Before(
            SharedCluster.Demo demo,
            String serviceSecret,
            String serviceToken,
            String userAccessToken,
            String refreshToken,
            String totpUser,
            String totpPassword,
            TotpSecret totpKey,
            long auditEvents,
            String masterKeyId) {

        @Override
        public String toString() {
            return "Before[credentials and tokens]";
        }
    }

    private static Cluster.Builder builder(Path work, String masterKey) {
        List<String> args = new ArrayList<>(Cluster.LOOPBACK_LIMITS);
        args.add("--gatehouse.server.demo-web-client-url=http://127.0.0.1:" + SharedCluster.CALLBACK_PORT);
        return Cluster.builder(ROOT)
                .nodes(1)
                .ports(FIRST_PORT)
                .masterKey(masterKey)
                .work(work)
                .serverArguments(args);
    }

    private static Before makeState(Cluster cluster) throws Exception {
        SharedCluster.Demo demo = SharedCluster.demo(cluster);
        String issuer = cluster.issuer();
        Admin admin = Admin.on(issuer, demo);

        // A client and its access token (client credentials).
        String serviceSecret = admin.registerServiceClient("dr-service");
        HttpResponse<String> cc = Flows.clientCredentials(new Http(issuer), "dr-service", serviceSecret, "api.read");
        assertThat(cc.statusCode()).as(cc.body()).isEqualTo(200);
        String serviceToken = (String) Http.json(cc).get("access_token");

        // The demo user's access and refresh tokens (authorization code + PKCE).
        Http.Pkce pkce = Http.Pkce.create();
        String code = Flows.signInForCode(new Http(issuer), SharedCluster.Demo.USER, demo.password(), pkce, demo);
        HttpResponse<String> exchanged = Flows.exchange(new Http(issuer), code, pkce, demo);
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        Map<String, Object> tokens = Http.json(exchanged);

        // A user with a TOTP factor, enrolled on the server's own pages.
        String user =
                "dr-totp-" + Admin.random(4).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "x");
        String password = admin.createUser(user);
        Http browser = new Http(issuer);
        HttpResponse<String> login = browser.postForm(
                "/login", Map.of("username", user, "password", password, "_csrf", Http.csrf(browser.get("/login"))));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(Http.location(login)).doesNotContain("error");
        HttpResponse<String> page = browser.get("/mfa/enroll");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        HttpResponse<String> started = browser.postForm("/mfa/enroll/start", Map.of("_csrf", Http.csrf(page)));
        Matcher secret = TOTP_KEY.matcher(started.body());
        assertThat(secret.find()).as("the enrolment page shows the key").isTrue();
        TotpSecret totpKey = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> enrolled = browser.postForm(
                "/mfa/enroll", Map.of("code", TOTP.code(totpKey, Instant.now()), "_csrf", Http.csrf(started)));
        assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(200);

        // Audit events: every step above made some (the writer is asynchronous: wait until they are stored).
        assertThat(Await.until(Duration.ofSeconds(30), () -> auditEvents(cluster.jdbcUrl()) >= 5))
                .as("audit events stored")
                .isTrue();
        return new Before(
                demo,
                serviceSecret,
                serviceToken,
                (String) tokens.get("access_token"),
                (String) tokens.get("refresh_token"),
                user,
                password,
                totpKey,
                auditEvents(cluster.jdbcUrl()),
                sealedUnder(cluster.jdbcUrl()));
    }

    /** Password, then the TOTP step (the next time step's code: the enrolment used the current one), back to the client. */
    private static String signInWithTotp(Cluster cluster, Before before) {
        Http browser = new Http(cluster.issuer());
        Http.Pkce pkce = Http.Pkce.create();
        String csrf = Flows.startSignIn(browser, "", pkce, before.demo());
        HttpResponse<String> login = browser.postForm(
                "/login", Map.of("username", before.totpUser(), "password", before.totpPassword(), "_csrf", csrf));
        String next = Http.location(login);
        assertThat(next).doesNotContain("error").contains("/oauth2/authorize");
        assertThat(Http.location(browser.get(next))).endsWith("/mfa/totp");
        HttpResponse<String> step = browser.get("/mfa/totp");
        assertThat(step.statusCode()).isEqualTo(200);
        HttpResponse<String> submitted = browser.postForm(
                "/mfa/totp",
                Map.of("code", TOTP.code(before.totpKey(), Instant.now().plusSeconds(30)), "_csrf", Http.csrf(step)));
        String back = Http.location(submitted);
        assertThat(back).doesNotContain("error").contains("/oauth2/authorize");
        String location = Http.location(browser.get(back));
        assertThat(location).startsWith(before.demo().redirect() + "?");
        return Http.query(location).get("code");
    }

    /**
     * The dump holds no master key: neither in the file nor in the SQL pg_restore makes of it (the custom format
     * compresses table data, so the file alone would prove little), as Base64, hex or raw bytes. And no browser
     * session's data.
     */
    private static void assertNoMasterKeyAndNoSessionsIn(Path dump, byte[] key, String masterKey) throws Exception {
        Commands.Result sql =
                Commands.run(ROOT, Map.of(), List.of(Commands.pgTool("pg_restore"), "-f", "-", dump.toString()));
        assertThat(sql.status()).as(sql.err()).isZero();
        assertThat(sql.out()).contains("COPY public.gh_server_secret").contains("ghe1.");
        String hex = HexFormat.of().formatHex(key);
        for (byte[] content : List.of(Files.readAllBytes(dump), sql.out().getBytes(StandardCharsets.UTF_8))) {
            String text = new String(content, StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContain(masterKey).doesNotContainIgnoringCase(hex);
            assertThat(text)
                    .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(key));
            assertThat(text).doesNotContain(new String(key, StandardCharsets.ISO_8859_1));
        }
        assertThat(sql.out()).doesNotContainPattern("COPY public\\.spring_session(_attributes)? ");
    }

    private static long tablesIn(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static long auditEvents(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM gh_audit_event")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** The master key id in the header of the first sealed server secret (hex of bytes 1..8 of the envelope). */
    private static String sealedUnder(String jdbcUrl) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT sealed_value FROM gh_server_secret ORDER BY name LIMIT 1")) {
            assertThat(r.next()).isTrue();
            String sealed = r.getString(1);
            byte[] header = Base64.getUrlDecoder().decode(sealed.substring("ghe1.".length(), "ghe1.".length() + 12));
            return HexFormat.of().formatHex(header, 1, 9);
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
