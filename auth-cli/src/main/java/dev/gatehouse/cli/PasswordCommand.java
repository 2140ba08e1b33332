package dev.gatehouse.cli;

import dev.gatehouse.core.password.Argon2Calibrator;
import dev.gatehouse.core.password.Argon2Parameters;
import dev.gatehouse.core.password.BcryptParameters;
import dev.gatehouse.core.password.HashParameters;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.core.password.PasswordPolicy;
import dev.gatehouse.core.password.PolicyResult;
import dev.gatehouse.core.password.ScryptParameters;
import dev.gatehouse.core.password.Verification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse password ...}: hash, verify, calibrate and policy checks. */
@Command(
        name = "password",
        mixinStandardHelpOptions = true,
        description = "Hash and verify passwords, calibrate Argon2id, check the password policy.")
final class PasswordCommand implements Runnable {

    /** Algorithms selectable for new hashes. */
    enum Algorithm {
        argon2id,
        bcrypt,
        scrypt
    }

    private final SecretInput input;

    @Spec
    CommandSpec spec;

    PasswordCommand(SecretInput input) {
        this.input = input;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    @Command(name = "hash", description = "Read a password from stdin and print its hash.")
    int hash(
            @Option(
                            names = "--algorithm",
                            defaultValue = "argon2id",
                            description = "argon2id (default), bcrypt or scrypt")
                    Algorithm algorithm,
            @Option(names = "--bcrypt-cost", defaultValue = "12", description = "bcrypt cost, 10..31 (default 12)")
                    int cost) {
        HashParameters parameters = switch (algorithm) {
            case argon2id -> Argon2Parameters.owasp();
            case bcrypt -> BcryptParameters.of(cost);
            case scrypt -> ScryptParameters.owasp();
        };
        PasswordHasher hasher = PasswordHasher.builder().parameters(parameters).build();
        spec.commandLine().getOut().println(hasher.hash(input.read()));
        return GatehouseCli.OK;
    }

    @Command(
            name = "verify",
            description = "Read a password from stdin and verify it. Exit 0 match, 1 no match, 2 malformed hash; "
                    + "prints 'rehash' when the hash should be upgraded.")
    int verify(@Option(names = "--hash", required = true, description = "the stored hash") String hash) {
        Verification v = PasswordHasher.defaults().verify(input.read(), hash);
        if (!v.matched()) {
            spec.commandLine().getOut().println("no match");
            return GatehouseCli.NO;
        }
        spec.commandLine().getOut().println(v.needsRehash() ? "match\nrehash" : "match");
        return GatehouseCli.OK;
    }

    @Command(name = "calibrate", description = "Pick Argon2id parameters for a target time on this host.")
    int calibrate(
            @Option(names = "--target-ms", required = true, description = "time one hash may take, in ms")
                    long targetMs,
            @Option(
                            names = "--max-memory-mib",
                            defaultValue = "64",
                            description = "memory ceiling per hash (default 64)")
                    int maxMemoryMiB) {
        if (targetMs < 1 || targetMs > 30_000) {
            throw new CliException("--target-ms must be between 1 and 30000");
        }
        if (maxMemoryMiB < 19 || maxMemoryMiB > 4096) {
            throw new CliException("--max-memory-mib must be between 19 and 4096");
        }
        Argon2Calibrator.Calibration c = Argon2Calibrator.builder()
                .maxMemoryKiB(Math.max(19_456, maxMemoryMiB * 1024))
                .build()
                .calibrate(Duration.ofMillis(targetMs));
        Argon2Parameters p = c.parameters();
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "argon2id m=%d,t=%d,p=%d measured=%dms target=%dms%s%n",
                        p.memoryKiB(),
                        p.iterations(),
                        p.parallelism(),
                        c.measured().toMillis(),
                        targetMs,
                        c.withinTarget() ? "" : " (the OWASP minimum is slower than the target; using it anyway)");
        return GatehouseCli.OK;
    }

    @Command(
            name = "check-policy",
            description = "Read a password from stdin and check it against the password policy "
                    + "(NIST SP 800-63B). Exit 0 accepted, 1 refused with the reason.")
    int checkPolicy(
            @Option(names = "--user", description = "user name or e-mail the password must not contain") @Nullable
                    List<String> users,
            @Option(names = "--min-length", defaultValue = "8", description = "minimum length (default 8)") int min,
            @Option(names = "--max-length", defaultValue = "64", description = "maximum length (default 64)") int max) {
        PasswordPolicy policy =
                PasswordPolicy.builder().minLength(min).maxLength(max).build();
        List<String> context = users == null ? List.of() : new ArrayList<>(users);
        PolicyResult result = policy.check(input.read(), context.toArray(String[]::new));
        spec.commandLine().getOut().println(result.message());
        return result.accepted() ? GatehouseCli.OK : GatehouseCli.NO;
    }
}
