package dev.gatehouse.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.mfa.RecoveryCodeRedemption;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpEnrolment;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.core.mfa.TotpVerification;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

/** The JDBC stores' contract, run on H2 and on real PostgreSQL by the subclasses. */
abstract class JdbcStoresContract {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    abstract DataSource dataSource();

    private JdbcTemplate jdbc;
    private TotpService totp;
    private RecoveryCodes recovery;

    @BeforeEach
    void setUp() {
        DataSource ds = dataSource();
        new ResourceDatabasePopulator(new ClassPathResource("dev/gatehouse/spring/jdbc/schema.sql")).execute(ds);
        // Twice: the schema script is idempotent.
        new ResourceDatabasePopulator(new ClassPathResource("dev/gatehouse/spring/jdbc/schema.sql")).execute(ds);
        jdbc = new JdbcTemplate(ds);
        jdbc.update("DELETE FROM gatehouse_totp_factor");
        jdbc.update("DELETE FROM gatehouse_recovery_code");
        totp = TotpService.builder()
                .issuer("Example")
                .envelope(Envelope.of(MasterKey.generate(new SecureRandom())))
                .store(new JdbcTotpFactorStore(jdbc))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        recovery = RecoveryCodes.builder()
                .hashKey(key)
                .store(new JdbcRecoveryCodeStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds))))
                .build();
    }

    private static String code(TotpEnrolment enrolment, Instant at) {
        return Totp.of(TotpParameters.defaults()).code(TotpSecret.fromBase32(enrolment.secretBase32()), at);
    }

    @Test
    void totpWhenEnrolledConfirmedAndUsedThenStoredSealedAndReplayRefused() {
        TotpEnrolment enrolment = totp.enrol("user-1", "alice@example.test");
        String first = code(enrolment, NOW);

        assertThat(totp.verify("user-1", first).accepted()).isFalse(); // pending until confirmed
        assertThat(totp.confirm("user-1", first).accepted()).isTrue();
        assertThat(totp.verify("user-1", first))
                .isEqualTo(new TotpVerification.Rejected(TotpVerification.Reason.REPLAYED));
        String stored = jdbc.queryForObject(
                "SELECT sealed_secret FROM gatehouse_totp_factor WHERE user_id = 'user-1'", String.class);
        assertThat(stored).startsWith("ghe1.").doesNotContain(enrolment.secretBase32());
    }

    @Test
    void totpWhenSameCodeUsedConcurrentlyThenExactlyOneAccepted() throws Exception {
        TotpEnrolment enrolment = totp.enrol("user-2", "bob@example.test");
        totp.confirm("user-2", code(enrolment, NOW.minusSeconds(30)));
        String next = code(enrolment, NOW);

        List<Boolean> results = race(8, () -> totp.verify("user-2", next).accepted());

        assertThat(results.stream().filter(b -> b)).hasSize(1);
    }

    @Test
    void recoveryCodeWhenUsedConcurrentlyThenExactlyOneSucceedsAndCountDrops() throws Exception {
        List<String> codes = recovery.generate("user-3");
        String code = codes.get(0);

        List<Boolean> results = race(8, () -> recovery.redeem("user-3", code).accepted());

        assertThat(results.stream().filter(b -> b)).hasSize(1);
        RecoveryCodeRedemption again = recovery.redeem("user-3", code);
        assertThat(again.accepted()).isFalse();
        assertThat(again.remaining()).isEqualTo(codes.size() - 1);
        assertThat(jdbc.queryForList("SELECT code_hash FROM gatehouse_recovery_code", String.class))
                .noneMatch(h -> codes.stream().anyMatch(c -> h.contains(c.replace("-", ""))));
    }

    @Test
    void recoveryCodesWhenRegeneratedThenOldSetInvalid() {
        List<String> old = recovery.generate("user-4");
        List<String> fresh = recovery.generate("user-4");

        assertThat(recovery.redeem("user-4", old.get(0)).accepted()).isFalse();
        assertThat(recovery.redeem("user-4", fresh.get(0)).accepted()).isTrue();
    }

    private static List<Boolean> race(int threads, Callable<Boolean> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<Boolean> out = new ArrayList<>();
            for (Future<Boolean> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
