package dev.gatehouse.benchmarks;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Gatehouse's hasher (Argon2 through Bouncy Castle since issue 18, bcrypt through Password4j) side by side with
 * Spring Security's encoders (Bouncy Castle Argon2, jBCrypt port) at identical parameters: Argon2id m=19456 KiB,
 * t=2, p=1, 32-byte hash, 16-byte salt; bcrypt cost 12. The {@code argon2idHashPassword4j} row is the engine
 * Gatehouse used before, for reference. Run: {@code java -jar benchmarks/target/benchmarks.jar PasswordHashing}.
 * Lower is better (ms/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class PasswordHashingBenchmark {

    private static final String PASSWORD = "correct horse battery staple";

    private PasswordHasher gatehouseArgon2;
    private PasswordHasher gatehouseBcrypt;
    private Argon2PasswordEncoder springArgon2;
    private BCryptPasswordEncoder springBcrypt;

    private Argon2Function password4jArgon2;
    private final SecureRandom random = new SecureRandom();

    private String gatehouseArgon2Hash;
    private String gatehouseBcryptHash;
    private String springArgon2Hash;
    private String springBcryptHash;

    @Setup
    public void setUp() {
        gatehouseArgon2 =
                PasswordHasher.builder().parameters(Argon2Parameters.owasp()).build();
        gatehouseBcrypt =
                PasswordHasher.builder().parameters(BcryptParameters.of(12)).build();
        springArgon2 = new Argon2PasswordEncoder(16, 32, 1, 19_456, 2);
        springBcrypt = new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2B, 12);
        password4jArgon2 = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
        gatehouseArgon2Hash = gatehouseArgon2.hash(PASSWORD);
        gatehouseBcryptHash = gatehouseBcrypt.hash(PASSWORD);
        // Spring's encode returns null only for a null password.
        springArgon2Hash = Objects.requireNonNull(springArgon2.encode(PASSWORD));
        springBcryptHash = Objects.requireNonNull(springBcrypt.encode(PASSWORD));
    }

    @Benchmark
    public String argon2idHashGatehouse() {
        return gatehouseArgon2.hash(PASSWORD);
    }

    @Benchmark
    public @Nullable String argon2idHashSpring() {
        return springArgon2.encode(PASSWORD);
    }

    @Benchmark
    public String argon2idHashPassword4j() {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return password4jArgon2
                .hash(PASSWORD.getBytes(StandardCharsets.UTF_8), salt)
                .getResult();
    }

    @Benchmark
    public boolean argon2idVerifyGatehouse() {
        return gatehouseArgon2.verify(PASSWORD, gatehouseArgon2Hash).matched();
    }

    @Benchmark
    public boolean argon2idVerifySpring() {
        return springArgon2.matches(PASSWORD, springArgon2Hash);
    }

    @Benchmark
    public String bcryptHashGatehouse() {
        return gatehouseBcrypt.hash(PASSWORD);
    }

    @Benchmark
    public @Nullable String bcryptHashSpring() {
        return springBcrypt.encode(PASSWORD);
    }

    @Benchmark
    public boolean bcryptVerifyGatehouse() {
        return gatehouseBcrypt.verify(PASSWORD, gatehouseBcryptHash).matched();
    }

    @Benchmark
    public boolean bcryptVerifySpring() {
        return springBcrypt.matches(PASSWORD, springBcryptHash);
    }
}
