package dev.gatehouse.cli;

import dev.gatehouse.core.mfa.OtpAuthUri;
import dev.gatehouse.core.mfa.QrCode;
import dev.gatehouse.core.mfa.Totp;
import dev.gatehouse.core.mfa.TotpAlgorithm;
import dev.gatehouse.core.mfa.TotpParameters;
import dev.gatehouse.core.mfa.TotpSecret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse totp ...}: make a TOTP secret with its otpauth URI and QR code, compute and check codes
 * (RFC 6238), for testing and support. The secret is an argument here, so it shows in process listings: use
 * test secrets, not users' real ones.
 */
@Command(
        name = "totp",
        mixinStandardHelpOptions = true,
        description = "Make TOTP secrets and otpauth URIs, compute and verify codes (RFC 6238).")
final class TotpCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Code parameters shared by the subcommands. */
    static final class CodeOptions {
        // Picocli always assigns it (its default when absent); NullAway cannot see reflective assignment.
        @SuppressWarnings("NullAway.Init")
        @Option(
                names = "--algorithm",
                defaultValue = "SHA1",
                description = "SHA1 (default, what authenticator apps use), SHA256 or SHA512")
        TotpAlgorithm algorithm;

        @Option(names = "--digits", defaultValue = "6", description = "6 (default) or 8")
        int digits;

        @Option(names = "--period", defaultValue = "30", description = "time step in seconds (default 30)")
        long period;

        TotpParameters parameters(int window) {
            return new TotpParameters(algorithm, digits, Duration.ofSeconds(period), window);
        }
    }

    @Command(
            name = "enroll",
            description = "Generate a 160-bit secret; print it and its otpauth:// URI, optionally write a QR PNG.")
    int enroll(
            @Option(names = "--issuer", required = true, description = "service name shown in the app") String issuer,
            @Option(names = "--account", required = true, description = "account name, e.g. e-mail address")
                    String account,
            @Option(names = "--qr", description = "write a QR code of the URI to this PNG file") @Nullable Path qr,
            @Mixin CodeOptions options) {
        TotpSecret secret = TotpSecret.generate(new SecureRandom(), TotpSecret.DEFAULT_BYTES);
        try {
            String uri = OtpAuthUri.totp(issuer, account, secret, options.parameters(1));
            if (qr != null) {
                try {
                    Files.write(qr, QrCode.png(uri, QrCode.DEFAULT_SIZE));
                } catch (IOException e) {
                    throw new UncheckedIOException("could not write " + qr, e);
                }
            }
            var out = spec.commandLine().getOut();
            out.println("secret: " + secret.base32());
            out.println("uri: " + uri);
            if (qr != null) {
                out.println("qr: " + qr);
            }
            return GatehouseCli.OK;
        } finally {
            secret.destroy();
        }
    }

    @Command(name = "code", description = "Print the code for a secret at a time (default now).")
    int code(
            @Option(names = "--secret", required = true, description = "the secret in Base32") String secret,
            @Option(names = "--time", description = "Unix time in seconds (default now)") @Nullable Long time,
            @Mixin CodeOptions options) {
        Totp totp = Totp.of(options.parameters(0));
        spec.commandLine().getOut().println(totp.code(TotpSecret.fromBase32(secret), instant(time)));
        return GatehouseCli.OK;
    }

    @Command(
            name = "verify",
            description = "Check a code for a secret at a time (default now). Exit 0 valid, 1 invalid, 2 bad input.")
    int verify(
            @Option(names = "--secret", required = true, description = "the secret in Base32") String secret,
            @Option(names = "--code", required = true, description = "the code to check") String code,
            @Option(names = "--time", description = "Unix time in seconds (default now)") @Nullable Long time,
            @Option(names = "--window", defaultValue = "1", description = "steps accepted either side (default 1)")
                    int window,
            @Mixin CodeOptions options) {
        Totp totp = Totp.of(options.parameters(window));
        var match = totp.match(TotpSecret.fromBase32(secret), code, instant(time), -1);
        if (match.isEmpty()) {
            spec.commandLine().getOut().println("invalid");
            return GatehouseCli.NO;
        }
        spec.commandLine().getOut().println("valid (time step " + match.getAsLong() + ")");
        return GatehouseCli.OK;
    }

    private static Instant instant(@Nullable Long time) {
        if (time == null) {
            return Instant.now();
        }
        if (time < 0) {
            throw new CliException("--time must not be negative");
        }
        return Instant.ofEpochSecond(time);
    }
}
