package dev.gatehouse.benchmarks;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.PasswordHasher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * {@link PasswordHashingBenchmark}'s Argon2id rows measured interleaved: each round runs every variant once, in a
 * rotating order, and times each call (wall clock and the thread's CPU time). JMH runs one benchmark after the
 * other, so on a shared machine whose load changes by the minute its ratios drift; here every variant sees the
 * same load, and medians ignore the spikes. Same parameters: Argon2id m=19456 KiB, t=2, p=1, 16-byte salt,
 * 32-byte hash.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.gatehouse.benchmarks.PasswordHashingSideBySide
 * [rounds, default 60] [same-latency]} (plus 15 rounds of warm-up). With {@code same-latency}: what the time of
 * Password4j's hash at the defaults buys with Gatehouse's engine (more passes, more memory), through the hasher.
 */
public final class PasswordHashingSideBySide {

    private static final String PASSWORD = "correct horse battery staple";

    private PasswordHashingSideBySide() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        boolean sameLatency = args.length > 1 && args[1].equals("same-latency");
        PasswordHasher gatehouse =
                PasswordHasher.builder().parameters(Argon2Parameters.owasp()).build();
        Argon2PasswordEncoder spring = new Argon2PasswordEncoder(16, 32, 1, 19_456, 2);
        Argon2Function password4j =
                Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
        SecureRandom random = new SecureRandom();
        String gatehouseHash = gatehouse.hash(PASSWORD);
        String springHash = Objects.requireNonNull(spring.encode(PASSWORD));

        Map<String, BooleanSupplier> variants = new LinkedHashMap<>();
        if (sameLatency) {
            variants.put("Password4j m=19456 t=2 (engine before)", () -> {
                byte[] salt = new byte[16];
                random.nextBytes(salt);
                return password4j
                        .hash(PASSWORD.getBytes(StandardCharsets.UTF_8), salt)
                        .getResult()
                        .startsWith("$argon2id$");
            });
            for (Argon2Parameters p : new Argon2Parameters[] {
                Argon2Parameters.of(19_456, 2, 1),
                Argon2Parameters.of(19_456, 3, 1),
                Argon2Parameters.of(28_672, 2, 1),
                Argon2Parameters.of(38_912, 2, 1)
            }) {
                PasswordHasher h = PasswordHasher.builder().parameters(p).build();
                variants.put(
                        "Gatehouse m=" + p.memoryKiB() + " t=" + p.iterations(),
                        () -> h.hash(PASSWORD).startsWith("$argon2id$"));
            }
            measure(variants, rounds);
            return;
        }
        variants.put("argon2id hash, Gatehouse", () -> gatehouse.hash(PASSWORD).startsWith("$argon2id$"));
        variants.put(
                "argon2id hash, Spring Security (BC)",
                () -> Objects.requireNonNull(spring.encode(PASSWORD)).startsWith("$argon2id$"));
        variants.put("argon2id hash, Password4j (engine before)", () -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            return password4j
                    .hash(PASSWORD.getBytes(StandardCharsets.UTF_8), salt)
                    .getResult()
                    .startsWith("$argon2id$");
        });
        variants.put(
                "argon2id verify, Gatehouse",
                () -> gatehouse.verify(PASSWORD, gatehouseHash).matched());
        variants.put("argon2id verify, Spring Security (BC)", () -> spring.matches(PASSWORD, springHash));

        long[][][] measured = measure(variants, rounds);
        long[][] wall = measured[0];
        long[][] cpu = measured[1];
        ratio("hash", wall[0], wall[1], cpu[0], cpu[1]);
        ratio("verify", wall[3], wall[4], cpu[3], cpu[4]);
        ratio("hash with the engine before (Password4j)", wall[2], wall[1], cpu[2], cpu[1]);
    }

    /** Times every variant once per round in a rotating order; prints and returns sorted wall and CPU nanos. */
    private static long[][][] measure(Map<String, BooleanSupplier> variants, int rounds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>(variants.keySet());
        List<BooleanSupplier> calls = new ArrayList<>(variants.values());
        int n = names.size();
        long[][] wall = new long[n][rounds];
        long[][] cpu = new long[n][rounds];
        int warmup = 15;
        for (int round = -warmup; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                int v = Math.floorMod(round + i, n);
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                if (!calls.get(v).getAsBoolean()) {
                    throw new IllegalStateException(names.get(v) + " did not produce or match a hash");
                }
                long wallTime = System.nanoTime() - wall0;
                long cpuTime = threads.getCurrentThreadCpuTime() - cpu0;
                if (round >= 0) {
                    wall[v][round] = wallTime;
                    cpu[v][round] = cpuTime;
                }
            }
        }
        for (int v = 0; v < n; v++) {
            Arrays.sort(wall[v]);
            Arrays.sort(cpu[v]);
        }

        System.out.printf(
                Locale.ROOT,
                "%-42s %12s %18s %12s%n",
                "variant (" + rounds + " interleaved rounds)",
                "wall p50 ms",
                "wall p25-p75 ms",
                "cpu p50 ms");
        for (int v = 0; v < n; v++) {
            System.out.printf(
                    Locale.ROOT,
                    "%-42s %12.1f %8.1f-%-9.1f %12.1f%n",
                    names.get(v),
                    ms(wall[v][rounds / 2]),
                    ms(wall[v][rounds / 4]),
                    ms(wall[v][rounds * 3 / 4]),
                    ms(cpu[v][rounds / 2]));
        }
        for (int v = 1; v < n; v++) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: cpu p50 %.2fx, wall p50 %.2fx the first row%n",
                    names.get(v),
                    (double) cpu[v][rounds / 2] / cpu[0][rounds / 2],
                    (double) wall[v][rounds / 2] / wall[0][rounds / 2]);
        }
        return new long[][][] {wall, cpu};
    }

    /** Ratio of medians; the arrays are sorted. */
    private static void ratio(String what, long[] oursWall, long[] theirsWall, long[] oursCpu, long[] theirsCpu) {
        int mid = oursWall.length / 2;
        System.out.printf(
                Locale.ROOT,
                "%s: time / Spring Security's time = %.2f (wall p50), %.2f (cpu p50)%n",
                what,
                (double) oursWall[mid] / theirsWall[mid],
                (double) oursCpu[mid] / theirsCpu[mid]);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
