import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * CPU time of one Argon2id hash (RFC 9106) at the given parameters, with the Bouncy Castle jar on the class path - the
 * engine both Gatehouse (auth-core's Argon2Engine) and Keycloak (its argon2 password-hash provider) compute with, so
 * run.sh passes each server's own bcprov jar. Warms up, then times {@code count} hashes on one thread by that
 * thread's CPU time, and prints {@code HASH m=.. t=.. p=.. cpu_ms_per_hash=..}. Arguments: {@code m t p count}.
 */
public final class HashCost {
    public static void main(String[] args) {
        int m = Integer.parseInt(args[0]);
        int t = Integer.parseInt(args[1]);
        int p = Integer.parseInt(args[2]);
        int count = Math.min(Integer.parseInt(args[3]), 10_000);
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] password = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        byte[] out = new byte[32];
        for (int i = 0; i < Math.max(10, count / 5); i++) {
            hash(parameters, password, out);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            hash(parameters, password, out);
        }
        double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / count;
        double wallMs = (System.nanoTime() - wall0) / 1e6 / count;
        System.out.printf(Locale.ROOT, "HASH m=%d t=%d p=%d count=%d cpu_ms_per_hash=%.3f wall_ms_per_hash=%.3f%n",
                m, t, p, count, cpuMs, wallMs);
    }

    private static void hash(Argon2Parameters parameters, byte[] password, byte[] out) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        generator.generateBytes(password, out);
    }
}
