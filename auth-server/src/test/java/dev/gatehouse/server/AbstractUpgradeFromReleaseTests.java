package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.AbstractAuthorizationServerTests.Pkce;
import dev.gatehouse.server.secrets.MasterKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue #22: a database made by the released server (fixtures under {@code upgrade/}, see its README) is restored into
 * a fresh database, this server starts on it and Flyway migrates it forward, and its users sign in through the real
 * pages: password + a TOTP code computed from the recorded secret, password + a recovery code (once only), and
 * nothing is lost on the way. Subclasses restore the fixture for their database before the context starts.
 */
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Import(AbstractSignInLockoutTests.TestClock.class)
abstract class AbstractUpgradeFromReleaseTests {

    /** The release the fixtures were recorded from (auth-server/src/test/resources/upgrade/README.md). */
    static final String RELEASE = "v12-f835035";

    private static final Totp TOTP = Totp.of(TotpParameters.defaults());

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MovableClock clock;

    @Autowired
    TotpService totpService;

    @Autowired
    RecoveryCodes recoveryCodes;

    /** The recorded values for this database. */
    abstract Properties fixture();

    // ---------------------------------------------------------------- nothing lost

    @Test
    @Order(1)
    void migrateWhenReleaseDatabaseThenEveryUserFactorAndCodeKeptInTheStarterTables() {
        Properties fixture = fixture();
        assertThat(jdbc.queryForObject(
                        "SELECT MAX(CAST(\"version\" AS INTEGER)) FROM \"flyway_schema_history\""
                                + " WHERE \"success\" = TRUE AND \"version\" IS NOT NULL",
                        Integer.class))
                .isGreaterThan(Integer.parseInt(fixture.getProperty("schema-version")));
        assertThat(count("SELECT COUNT(*) FROM gh_user")).isEqualTo(fixture.getProperty("count.users"));
        assertThat(count("SELECT COUNT(*) FROM gatehouse_totp_factor"))
                .isEqualTo(fixture.getProperty("count.totp-factors"));
        assertThat(count("SELECT COUNT(*) FROM gatehouse_totp_factor WHERE confirmed = TRUE"))
                .isEqualTo(fixture.getProperty("count.confirmed-totp-factors"));
        assertThat(count("SELECT COUNT(*) FROM gatehouse_recovery_code"))
                .isEqualTo(fixture.getProperty("count.recovery-codes"));
        assertThat(jdbc.queryForObject(
                        "SELECT last_step FROM gatehouse_totp_factor WHERE user_id = 'alice'", Long.class))
                .isEqualTo(Long.parseLong(fixture.getProperty("alice.last-step")));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) IN"
                                + " ('gh_totp_factor', 'gh_recovery_code')",
                        Integer.class))
                .isZero();
        assertThat(totpService.status("alice")).isEqualTo(TotpService.FactorStatus.CONFIRMED);
        assertThat(totpService.status("bob")).isEqualTo(TotpService.FactorStatus.PENDING);
        assertThat(totpService.status("carol")).isEqualTo(TotpService.FactorStatus.NONE);
        assertThat(recoveryCodes.remaining("alice")).isEqualTo(codes().size());
    }

    // ---------------------------------------------------------------- sign-in

    @Test
    @Order(2)
    void signInWhenPasswordAndTotpFromRecordedSecretThenTokensWithPwdOtpAndReplayRefused() throws Exception {
        TotpSecret key = TotpSecret.fromBase32(fixture().getProperty("alice.totp-secret"));
        moveClockPastRecordedStep();
        String code = TOTP.code(key, clock.instant());
        MfaSignInFlow flow = flow();

        HttpBrowser browser = new HttpBrowser(base());
        Pkce pkce = Pkce.create();
        assertThat(flow.password(browser, "alice", password(), pkce)).endsWith("/mfa/totp");
        String resumed = flow.submit(browser, "/mfa/totp", code);
        assertThat(MfaSignInFlow.amr(flow.tokens(browser, resumed, pkce))).isEqualTo(MfaSignInFlow.pwdOtp());

        // The same code again, in a new browser: its time step was accepted once already (RFC 6238 §5.2).
        HttpBrowser replay = new HttpBrowser(base());
        flow.password(replay, "alice", password(), Pkce.create());
        assertThat(flow.submit(replay, "/mfa/totp", code)).endsWith("/mfa/totp?error");
    }

    @Test
    @Order(3)
    void signInWhenRecoveryCodeThenWorksOnceAndTheCodeSpentBeforeTheUpgradeStaysRefused() throws Exception {
        MfaSignInFlow flow = flow();
        String recovery = codes().get(0);

        HttpBrowser browser = new HttpBrowser(base());
        Pkce pkce = Pkce.create();
        assertThat(flow.password(browser, "alice", password(), pkce)).endsWith("/mfa/totp");
        String resumed = flow.submit(browser, "/mfa/recovery", recovery);
        assertThat(MfaSignInFlow.amr(flow.tokens(browser, resumed, pkce))).isEqualTo(MfaSignInFlow.pwdOtp());
        assertThat(recoveryCodes.remaining("alice")).isEqualTo(codes().size() - 1);

        HttpBrowser again = new HttpBrowser(base());
        flow.password(again, "alice", password(), Pkce.create());
        assertThat(flow.submit(again, "/mfa/recovery", recovery)).endsWith("/mfa/recovery?error");
        HttpBrowser spent = new HttpBrowser(base());
        flow.password(spent, "alice", password(), Pkce.create());
        assertThat(flow.submit(spent, "/mfa/recovery", fixture().getProperty("alice.spent-recovery-code")))
                .endsWith("/mfa/recovery?error");
        assertThat(recoveryCodes.remaining("alice")).isEqualTo(codes().size() - 1);
    }

    @Test
    @Order(4)
    void signInWhenUserHasNoFactorThenPasswordAloneStillGivesTokensWithPwd() throws Exception {
        MfaSignInFlow flow = flow();
        HttpBrowser browser = new HttpBrowser(base());
        Pkce pkce = Pkce.create();
        String location = flow.password(browser, "carol", password(), pkce);
        assertThat(location).startsWith(MfaSignInFlow.REDIRECT + "?");
        // Already back at the client: exchange the code directly.
        assertThat(MfaSignInFlow.amr(
                        flow.exchange(browser, HttpBrowser.query(location).get("code"), pkce)))
                .isEqualTo(List.of("pwd"));
    }

    // ---------------------------------------------------------------- helpers

    /** Past the step alice's factor accepted when the fixture was recorded, in case this machine's clock is behind. */
    private void moveClockPastRecordedStep() {
        long period = TotpParameters.defaults().period().toSeconds();
        Instant firstFree =
                Instant.ofEpochSecond((Long.parseLong(fixture().getProperty("alice.last-step")) + 2) * period);
        if (clock.instant().isBefore(firstFree)) {
            clock.advance(Duration.between(clock.instant(), firstFree));
        }
    }

    private MfaSignInFlow flow() {
        return new MfaSignInFlow(
                base(), fixture().getProperty("client-id"), fixture().getProperty("client-secret"));
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private String password() {
        return fixture().getProperty("password");
    }

    private List<String> codes() {
        return Arrays.asList(fixture().getProperty("alice.recovery-codes").split(","));
    }

    private String count(String sql) {
        return Integer.toString(jdbc.queryForObject(sql, Integer.class));
    }

    // ---------------------------------------------------------------- restoring (before the context starts)

    /** Loads {@code upgrade/<release>/<vendor>/fixture.properties}. */
    static Properties load(String vendor) {
        Properties p = new Properties();
        try (Reader in =
                new java.io.InputStreamReader(resource(vendor, "fixture.properties"), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Copies {@code upgrade/<release>/<vendor>/dump.sql} to a file (for H2's RUNSCRIPT). */
    static Path dumpFile(String vendor) {
        try (InputStream in = resource(vendor, "dump.sql")) {
            Path file = Files.createTempFile("gatehouse-upgrade-" + vendor + "-", ".sql");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the fixture's master key where dev mode reads it, as the recording server had it. */
    static void writeMasterKey(Path dataDir, Properties fixture) {
        try {
            Files.createDirectories(dataDir);
            Files.writeString(
                    dataDir.resolve(MasterKeys.DEV_KEY_FILE),
                    fixture.getProperty("master-key"),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String vendor, String name) {
        String path = "/upgrade/" + RELEASE + "/" + vendor + "/" + name;
        InputStream in = AbstractUpgradeFromReleaseTests.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("missing upgrade fixture " + path);
        }
        return in;
    }
}
