package dev.gatehouse.benchmarks;

import com.warrenstrange.googleauth.GoogleAuthenticator;
import com.warrenstrange.googleauth.GoogleAuthenticatorConfig;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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

/**
 * TOTP verification with a window of one step either side (three HMAC-SHA1 codes per check, RFC 6238), as
 * Gatehouse does it ({@link Totp#match}: googleauth underneath, every step computed and compared in constant
 * time) beside a bare JCA computation of the same three codes and googleauth's own {@code authorize}. The
 * ratio of {@code gatehouseVerify} to {@code bareJcaHmacSha1} is our overhead. The code checked is the one of
 * the last step in the window, so every variant computes all three. Run: {@code java -jar
 * benchmarks/target/benchmarks.jar Totp}. Higher is better (ops/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class TotpBenchmark {

    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_010L);

    private Totp totp;
    private TotpSecret secret;
    private byte[] key;
    private String code;
    private int codeValue;
    private long step;
    private GoogleAuthenticator googleAuthenticator;
    private String base32;

    @Setup
    public void setUp() {
        secret = TotpSecret.generate(new SecureRandom(), TotpSecret.DEFAULT_BYTES);
        key = secret.bytes();
        base32 = secret.base32();
        totp = Totp.of(TotpParameters.defaults());
        step = totp.timeStep(NOW);
        code = totp.hotp(secret, step + 1);
        codeValue = Integer.parseInt(code);
        googleAuthenticator = new GoogleAuthenticator(new GoogleAuthenticatorConfig.GoogleAuthenticatorConfigBuilder()
                .setWindowSize(3)
                .build());
        if (!gatehouseVerify() || !bareJcaHmacSha1() || !googleauthAuthorize()) {
            throw new IllegalStateException("benchmark set-up does not verify its own code");
        }
    }

    @Benchmark
    public boolean gatehouseVerify() {
        return totp.match(secret, code, NOW, -1).isPresent();
    }

    @Benchmark
    public boolean bareJcaHmacSha1() {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            boolean found = false;
            for (long s = step - 1; s <= step + 1; s++) {
                byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(s).array());
                int o = h[h.length - 1] & 0xf;
                int bin = ((h[o] & 0x7f) << 24)
                        | ((h[o + 1] & 0xff) << 16)
                        | ((h[o + 2] & 0xff) << 8)
                        | (h[o + 3] & 0xff);
                // The leanest possible check: compare integers, no string formatting.
                found |= bin % 1_000_000 == codeValue;
            }
            return found;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public boolean googleauthAuthorize() {
        return googleAuthenticator.authorize(base32, codeValue, NOW.toEpochMilli());
    }
}
