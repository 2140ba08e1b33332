package dev.gatehouse.cli;

import dev.gatehouse.core.jwt.FileKeyRepository;
import dev.gatehouse.core.jwt.KeyRing;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse jwks --keys FILE}: the public JWK Set of a key file. Needs no master key. */
@Command(
        name = "jwks",
        mixinStandardHelpOptions = true,
        description = "Print the public JWK Set (RFC 7517) of a key file. Private keys never leave the file.")
final class JwksCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    // Required, so picocli has set it before call() runs; NullAway cannot see reflective assignment.
    @SuppressWarnings("NullAway.Init")
    @Option(names = "--keys", required = true, description = "the key file made by `jwt keygen`")
    Path keys;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(keys)) {
            throw new CliException("no key file at " + keys);
        }
        spec.commandLine().getOut().println(KeyRing.publicJwks(new FileKeyRepository(keys)));
        return GatehouseCli.OK;
    }
}
