package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.secrets.MasterKeys;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Records an upgrade fixture: runs this tree's server on a fresh database under a fixed test master key, creates
 * users, enrols and uses TOTP and recovery codes through the real pages, then dumps the database and writes what a
 * later test needs to sign in ({@code fixture.properties}). Off unless {@code -Dgatehouse.upgrade-fixture.out=DIR}
 * names where to write; run it on the release whose databases {@link UpgradeFromReleaseTests} must upgrade
 * (auth-server/src/test/resources/upgrade/README.md). Vendor: {@code -Dgatehouse.upgrade-fixture.vendor=h2|postgresql}.
 */
@EnabledIfSystemProperty(named = "gatehouse.upgrade-fixture.out", matches = ".+")
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false"
        })
@TestPropertySource(locations = "classpath:suite-rate-limits.properties")
class UpgradeFixtureRecorderTests {

    /** Test only: the master key every fixture is sealed under (32 ASCII bytes, Base64). */
    static final String MASTER_KEY = "dGVzdC1vbmx5LXVwZ3JhZGUtZml4dHVyZS1rZXktMzI=";

    static final String PASSWORD = "correct horse battery 9";
    static final String CLIENT_ID = "upgrade-client";
    static final String CLIENT_SECRET = "upgrade-client-secret-0123456789abcdefABCDEF";

    private static final Pattern SECRET = Pattern.compile("<code id=\"secret\">([A-Z2-7]+)</code>");
    private static final Pattern RECOVERY = Pattern.compile("<code class=\"recovery-code\">([^<]+)</code>");
    private static final Totp TOTP = Totp.of(TotpParameters.defaults());
    private static final String VENDOR = System.getProperty("gatehouse.upgrade-fixture.vendor", "h2");
    private static final Path DATA;
    private static final PostgresTestDatabase POSTGRES;

    static {
        try {
            POSTGRES = VENDOR.equals("postgresql") ? PostgresTestDatabase.create("upgraderecord") : null;
            DATA = POSTGRES != null ? POSTGRES.dataDir() : Files.createTempDirectory("gatehouse-upgrade-record-");
            Files.writeString(DATA.resolve(MasterKeys.DEV_KEY_FILE), MASTER_KEY, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        if (POSTGRES != null) {
            POSTGRES.register(registry);
        } else {
            registry.add("gatehouse.server.data-dir", DATA::toString);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    @Autowired
    Clock clock;

    @Test
    void recordWhenAskedThenWritesDumpAndFixture() throws Exception {
        Path out = Path.of(System.getProperty("gatehouse.upgrade-fixture.out")).resolve(VENDOR);
        Files.createDirectories(out);
        String base = "http://localhost:" + port;
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(CLIENT_ID)
                .clientSecret(clientSecrets.encoder().encode(CLIENT_SECRET))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(MfaSignInFlow.REDIRECT)
                .scope("openid")
                .clientSettings(ClientSettings.builder()
                        .requireProofKey(true)
                        .requireAuthorizationConsent(false)
                        .build())
                .build());
        for (String name : List.of("alice", "bob", "carol")) {
            users.create(name, hasher.hash(PASSWORD), List.of("user"));
        }

        // alice: TOTP enrolled and confirmed on the page, its recovery codes as shown once.
        HttpBrowser alice = new HttpBrowser(base);
        assertThat(alice.login("alice", PASSWORD).statusCode()).isEqualTo(302);
        HttpResponse<String> started = startEnrolment(alice);
        Matcher secret = SECRET.matcher(started.body());
        assertThat(secret.find()).as(started.body()).isTrue();
        TotpSecret key = TotpSecret.fromBase32(secret.group(1));
        HttpResponse<String> confirmed = alice.postForm(
                "/mfa/enroll", Map.of("code", TOTP.code(key, clock.instant()), "_csrf", MfaSignInFlow.csrf(started)));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        Matcher recovery = RECOVERY.matcher(confirmed.body());
        while (recovery.find()) {
            codes.add(recovery.group(1));
        }
        assertThat(codes).isNotEmpty();

        // alice signs in once with TOTP (the factor records the step) and once with a recovery code (spent).
        MfaSignInFlow flow = new MfaSignInFlow(base, CLIENT_ID, CLIENT_SECRET);
        HttpBrowser totpSignIn = new HttpBrowser(base);
        Pkce pkce = Pkce.create();
        assertThat(flow.password(totpSignIn, "alice", PASSWORD, pkce)).endsWith("/mfa/totp");
        String resumed = flow.submit(
                totpSignIn, "/mfa/totp", TOTP.code(key, clock.instant().plus(Duration.ofSeconds(30))));
        assertThat(MfaSignInFlow.amr(flow.tokens(totpSignIn, resumed, pkce))).isEqualTo(MfaSignInFlow.pwdOtp());
        HttpBrowser recoverySignIn = new HttpBrowser(base);
        pkce = Pkce.create();
        flow.password(recoverySignIn, "alice", PASSWORD, pkce);
        String spent = codes.remove(0);
        resumed = flow.submit(recoverySignIn, "/mfa/recovery", spent);
        assertThat(MfaSignInFlow.amr(flow.tokens(recoverySignIn, resumed, pkce)))
                .isEqualTo(MfaSignInFlow.pwdOtp());

        // bob: an enrolment started and never confirmed (a pending factor). carol: password only.
        HttpBrowser bob = new HttpBrowser(base);
        assertThat(bob.login("bob", PASSWORD).statusCode()).isEqualTo(302);
        assertThat(SECRET.matcher(startEnrolment(bob).body()).find()).isTrue();

        Properties fixture = new Properties();
        fixture.setProperty("master-key", MASTER_KEY);
        fixture.setProperty("password", PASSWORD);
        fixture.setProperty("client-id", CLIENT_ID);
        fixture.setProperty("client-secret", CLIENT_SECRET);
        fixture.setProperty("alice.totp-secret", secret.group(1));
        fixture.setProperty(
                "alice.last-step",
                Long.toString(jdbc.queryForObject(
                        "SELECT last_step FROM gatehouse_totp_factor WHERE user_id = 'alice'", Long.class)));
        fixture.setProperty("alice.recovery-codes", String.join(",", codes));
        fixture.setProperty("alice.spent-recovery-code", spent);
        fixture.setProperty("count.users", count("SELECT COUNT(*) FROM gh_user"));
        fixture.setProperty("count.totp-factors", count("SELECT COUNT(*) FROM gatehouse_totp_factor"));
        fixture.setProperty(
                "count.confirmed-totp-factors",
                count("SELECT COUNT(*) FROM gatehouse_totp_factor WHERE confirmed = TRUE"));
        fixture.setProperty("count.recovery-codes", count("SELECT COUNT(*) FROM gatehouse_recovery_code"));
        fixture.setProperty(
                "schema-version",
                jdbc.queryForObject(
                        "SELECT MAX(CAST(\"version\" AS INTEGER)) FROM \"flyway_schema_history\""
                                + " WHERE \"version\" IS NOT NULL",
                        String.class));
        try (Writer w = Files.newBufferedWriter(out.resolve("fixture.properties"), StandardCharsets.UTF_8)) {
            fixture.store(w, "Upgrade fixture (test only; every value here is public)");
        }
        if (POSTGRES != null) {
            dumpPostgres(out.resolve("dump.sql"));
        } else {
            jdbc.execute("SCRIPT TO '" + out.resolve("dump.sql").toAbsolutePath() + "'");
        }
    }

    private String count(String sql) {
        return Integer.toString(jdbc.queryForObject(sql, Integer.class));
    }

    private static HttpResponse<String> startEnrolment(HttpBrowser browser) {
        HttpResponse<String> page = browser.get("/mfa/enroll");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return browser.postForm("/mfa/enroll/start", Map.of("_csrf", MfaSignInFlow.csrf(page)));
    }

    /**
     * Every row of every table but Flyway's history, as INSERTs of text literals (PostgreSQL casts each to its
     * column's type), after a TRUNCATE of what the migrations seeded; sequences moved past the rows. Restore it on a
     * database migrated to the recorded schema version; FK checks are off while it runs (superuser).
     */
    private void dumpPostgres(Path file) throws Exception {
        List<String> tables = jdbc.queryForList(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                        + " AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history' ORDER BY table_name",
                String.class);
        StringBuilder sql = new StringBuilder();
        sql.append("SET session_replication_role = replica;\n");
        sql.append("TRUNCATE ").append(String.join(", ", tables)).append(";\n");
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    // Generated columns (gh_user.username_key) are computed again on insert and refuse a value.
                    List<String> generated = jdbc.queryForList(
                            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                                    + " AND table_name = ? AND is_generated = 'ALWAYS'",
                            String.class,
                            table);
                    List<String> columns = new ArrayList<>();
                    List<Integer> indexes = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        if (!generated.contains(md.getColumnName(i))) {
                            columns.add(md.getColumnName(i));
                            indexes.add(i);
                        }
                    }
                    while (rs.next()) {
                        List<String> values = new ArrayList<>();
                        for (int i : indexes) {
                            String v = rs.getString(i);
                            values.add(v == null ? "NULL" : "'" + v.replace("'", "''") + "'");
                        }
                        sql.append("INSERT INTO ")
                                .append(table)
                                .append(" (")
                                .append(String.join(", ", columns))
                                .append(") VALUES (")
                                .append(String.join(", ", values))
                                .append(");\n");
                    }
                }
            }
        }
        for (Map<String, Object> column :
                jdbc.queryForList("SELECT table_name, column_name FROM information_schema.columns"
                        + " WHERE table_schema = 'public' AND (column_default LIKE 'nextval%' OR is_identity = 'YES')"
                        + " ORDER BY table_name, column_name")) {
            String table = (String) column.get("table_name");
            String name = (String) column.get("column_name");
            sql.append("SELECT setval(pg_get_serial_sequence('")
                    .append(table)
                    .append("', '")
                    .append(name)
                    .append("'), COALESCE(MAX(")
                    .append(name)
                    .append("), 0) + 1, false) FROM ")
                    .append(table)
                    .append(";\n");
        }
        sql.append("SET session_replication_role = DEFAULT;\n");
        Files.writeString(file, sql, StandardCharsets.UTF_8);
    }
}
