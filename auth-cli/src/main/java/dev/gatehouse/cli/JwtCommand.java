package dev.gatehouse.cli;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.crypto.MasterKey;
import dev.gatehouse.core.jwt.FileKeyRepository;
import dev.gatehouse.core.jwt.JsonClaims;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.ManagedKey;
import dev.gatehouse.core.jwt.RemoteJwks;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gatehouse jwt ...}: key generation, signing and verification of JWTs. */
@Command(
        name = "jwt",
        mixinStandardHelpOptions = true,
        description = "Generate signing keys, sign and verify JWTs. The master key comes from GATEHOUSE_MASTER_KEY.")
final class JwtCommand implements Runnable {

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(s|m|h|d)");

    private final SecretInput input;
    private final Function<String, @Nullable String> environment;

    @Spec
    CommandSpec spec;

    JwtCommand(SecretInput input, Function<String, @Nullable String> environment) {
        this.input = input;
        this.environment = environment;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    @Command(
            name = "keygen",
            description = "Create a key file, or add a key to one (the first key is active, later ones NEXT). "
                    + "Private keys are sealed under the master key in GATEHOUSE_MASTER_KEY.")
    int keygen(
            @Option(
                            names = "--alg",
                            defaultValue = "RS256",
                            description = "RS256 (default), PS256, ES256, ES384, EdDSA")
                    String alg,
            @Option(names = "--out", required = true, description = "the key file") Path out) {
        JwsAlgorithm algorithm = JwsAlgorithm.parse(alg);
        if (algorithm.symmetric()) {
            throw new CliException("keygen makes key pairs; HMAC secrets are not generated here");
        }
        KeyRing ring = ring(out, algorithm);
        ManagedKey key = ring.addKey(algorithm);
        spec.commandLine()
                .getOut()
                .printf(Locale.ROOT, "%s %s %s%n", key.kid(), key.algorithm().joseName(), key.state());
        return GatehouseCli.OK;
    }

    @Command(name = "sign", description = "Print a compact JWT signed by the active key.")
    int sign(
            @Option(names = "--keys", required = true, description = "the key file") Path keys,
            @Option(names = "--claims", defaultValue = "{}", description = "claims as a JSON object") String claimsJson,
            @Option(
                            names = "--ttl",
                            defaultValue = "5m",
                            description = "lifetime: 300s, 5m, 1h, 1d or ISO-8601 (default 5m)")
                    String ttl,
            @Option(
                            names = "--issuer",
                            defaultValue = "http://localhost",
                            description = "iss, an https URL (http only for localhost); an \"iss\" claim wins")
                    String issuer) {
        if (!Files.isRegularFile(keys)) {
            throw new CliException("no key file at " + keys + "; create one with `jwt keygen`");
        }
        Map<String, Object> claims = new LinkedHashMap<>(JsonClaims.parse(claimsJson));
        Object iss = claims.remove("iss");
        String effectiveIssuer = iss instanceof String s ? s : issuer;
        KeyRing ring = ring(keys, KeyRing.DEFAULT_ALGORITHM);
        TokenIssuer tokenIssuer = TokenIssuer.builder(ring, effectiveIssuer).build();
        spec.commandLine()
                .getOut()
                .println(tokenIssuer.jwt(claims, duration(ttl)).value());
        return GatehouseCli.OK;
    }

    @Command(
            name = "verify",
            description = "Verify a JWT: signature, exp/nbf/iat, and iss/aud/typ when given. Exit 0 with the claims "
                    + "as JSON when valid, 1 with the error code when rejected, 2 on bad usage.")
    int verify(
            @Option(names = "--jwks", required = true, description = "a JWKS file, or an https URL") String jwks,
            @Option(names = "--token", required = true, description = "the JWT, or - to read it from stdin")
                    String token,
            @Option(names = "--issuer", description = "expected iss") @Nullable String issuer,
            @Option(names = "--audience", description = "expected aud") @Nullable String audience,
            @Option(names = "--alg", description = "allowed algorithm(s); default RS256, PS256, ES256, ES384, EdDSA")
                    @Nullable
                    List<String> algs,
            @Option(names = "--typ", description = "expected typ header, e.g. at+jwt") @Nullable String typ) {
        TokenVerifier.Builder builder = TokenVerifier.builder();
        if (jwks.startsWith("https://") || jwks.startsWith("http://")) {
            builder.remoteJwks(RemoteJwks.builder(URI.create(jwks)).build());
        } else {
            try {
                builder.jwks(Files.readString(Path.of(jwks), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new CliException("cannot read JWKS file " + jwks);
            }
        }
        if (issuer != null) {
            builder.issuer(issuer);
        }
        if (audience != null) {
            builder.audience(audience);
        }
        if (algs != null && !algs.isEmpty()) {
            builder.algorithms(algs.stream().map(JwsAlgorithm::parse).toArray(JwsAlgorithm[]::new));
        }
        if (typ != null) {
            builder.type(typ);
        }
        TokenVerifier verifier = builder.build();
        String value = "-".equals(token) ? input.read().strip() : token;
        try {
            VerifiedToken verified = verifier.verify(value);
            spec.commandLine().getOut().println(verified.claimsJson());
            return GatehouseCli.OK;
        } catch (TokenException e) {
            if (e.reason() == TokenException.Reason.JWKS_UNAVAILABLE
                    || e.reason() == TokenException.Reason.INVALID_KEY) {
                throw e;
            }
            spec.commandLine().getOut().println(e.code());
            spec.commandLine().getErr().println("rejected: " + e.getMessage());
            return GatehouseCli.NO;
        }
    }

    private KeyRing ring(Path file, JwsAlgorithm algorithm) {
        MasterKey masterKey = MasterKey.fromEnvironment(environment);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return KeyRing.builder()
                .algorithm(algorithm)
                .repository(new FileKeyRepository(file))
                .envelope(Envelope.of(masterKey))
                .build();
    }

    static Duration duration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new CliException("--ttl must look like 300s, 5m, 1h, 1d or PT5M");
            }
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(366)) > 0) {
            throw new CliException("--ttl must be positive and at most 366 days");
        }
        return d;
    }
}
