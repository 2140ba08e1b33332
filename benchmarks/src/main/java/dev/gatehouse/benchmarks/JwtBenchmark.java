package dev.gatehouse.benchmarks;

import dev.gatehouse.core.jwt.AccessTokenRequest;
import dev.gatehouse.core.jwt.JwsAlgorithm;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenIssuer;
import dev.gatehouse.core.jwt.TokenVerifier;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signing and verifying a typical RFC 9068 access token, per algorithm, three ways in one run: Gatehouse
 * ({@link TokenIssuer} / {@link TokenVerifier}: header, claims, key lookup, all checks), a bare JCA {@code
 * Signature}/{@code Mac} over the same signing input (the floor: our overhead ratio should approach 1), and
 * jjwt doing the same work. The same keys serve all three. Higher is better (ops/s).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JwtBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JwtBenchmark {

    private static final String ISSUER = "https://login.example.test";

    @Param({"RS256", "PS256", "ES256", "EdDSA", "HS256"})
    public String alg;

    private TokenIssuer issuer;
    private TokenVerifier verifier;
    private AccessTokenRequest request;
    private String token;
    private byte[] signingInput;
    private byte[] signature;

    private String jcaAlgorithm;
    // One pair or one secret, by algorithm.
    private @Nullable PrivateKey privateKey;
    private @Nullable PublicKey publicKey;
    private @Nullable SecretKey secretKey;

    private JwtParser jjwtParser;
    private Key jjwtSigningKey;
    private SecureDigestAlgorithm<?, ?> jjwtAlgorithm;
    private Map<String, Object> claims;

    @Setup
    public void setUp() throws Exception {
        JwsAlgorithm algorithm = JwsAlgorithm.parse(alg);
        KeyRing ring = KeyRing.builder().algorithm(algorithm).build();
        if (algorithm.symmetric()) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            secretKey = new SecretKeySpec(secret, "HmacSHA256");
            ring.addSecret(secret, algorithm);
            jjwtSigningKey = secretKey;
        } else {
            KeyPair pair = keyPair(algorithm);
            ring.importKeyPair(pair, algorithm);
            privateKey = pair.getPrivate();
            publicKey = pair.getPublic();
            jjwtSigningKey = privateKey;
        }
        issuer = TokenIssuer.builder(ring, ISSUER)
                .accessTokenLifetime(Duration.ofHours(1))
                .build();
        verifier = TokenVerifier.builder()
                .keys(ring)
                .issuer(ISSUER)
                .audience("api")
                .accessTokens()
                .algorithms(algorithm)
                .build();
        request = AccessTokenRequest.builder("user-4711", "web-app")
                .audience("api")
                .scope("openid", "profile", "orders:read")
                .claim("roles", List.of("customer", "beta"))
                .build();
        token = issuer.accessToken(request).value();
        int lastDot = token.lastIndexOf('.');
        signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
        signature = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
        jcaAlgorithm = switch (algorithm) {
            case RS256 -> "SHA256withRSA";
            case PS256 -> "RSASSA-PSS";
            case ES256 -> "SHA256withECDSAinP1363Format";
            case EdDSA -> "Ed25519";
            default -> "HmacSHA256";
        };
        if (!verifyJca()) {
            throw new IllegalStateException("JCA does not verify Gatehouse's " + alg + " signature");
        }
        jjwtAlgorithm = switch (algorithm) {
            case RS256 -> Jwts.SIG.RS256;
            case PS256 -> Jwts.SIG.PS256;
            case ES256 -> Jwts.SIG.ES256;
            case EdDSA -> Jwts.SIG.EdDSA;
            default -> Jwts.SIG.HS256;
        };
        jjwtParser = algorithm.symmetric()
                ? Jwts.parser().verifyWith(Objects.requireNonNull(secretKey)).build()
                : Jwts.parser().verifyWith(Objects.requireNonNull(publicKey)).build();
        claims = Map.of(
                "iss", ISSUER,
                "sub", "user-4711",
                "aud", "api",
                "client_id", "web-app",
                "scope", "openid profile orders:read",
                "roles", List.of("customer", "beta"));
        if (jjwtParser.parseSignedClaims(token).getPayload().getSubject() == null) {
            throw new IllegalStateException("jjwt does not verify Gatehouse's " + alg + " token");
        }
    }

    private static KeyPair keyPair(JwsAlgorithm algorithm) throws Exception {
        return switch (algorithm) {
            case RS256, PS256 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                yield g.generateKeyPair();
            }
            case ES256 -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                yield g.generateKeyPair();
            }
            default -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        };
    }

    private Signature jcaSignature() throws Exception {
        Signature s = Signature.getInstance(jcaAlgorithm);
        if ("RSASSA-PSS".equals(jcaAlgorithm)) {
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return s;
    }

    @Benchmark
    public String signGatehouse() {
        return issuer.accessToken(request).value();
    }

    @Benchmark
    public byte[] signJca() throws Exception {
        if (secretKey != null) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secretKey);
            return mac.doFinal(signingInput);
        }
        Signature s = jcaSignature();
        s.initSign(privateKey);
        s.update(signingInput);
        return s.sign();
    }

    @Benchmark
    @SuppressWarnings({"unchecked", "rawtypes"})
    public String signJjwt() {
        Instant now = Instant.now();
        return Jwts.builder()
                .header()
                .type("at+jwt")
                .keyId("k1")
                .and()
                .claims(claims)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plusSeconds(3600)))
                .id(Long.toString(now.toEpochMilli()))
                .signWith(jjwtSigningKey, (SecureDigestAlgorithm) jjwtAlgorithm)
                .compact();
    }

    @Benchmark
    public Object verifyGatehouse() {
        return verifier.verify(token);
    }

    @Benchmark
    public boolean verifyJca() throws Exception {
        if (secretKey != null) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secretKey);
            return java.security.MessageDigest.isEqual(mac.doFinal(signingInput), signature);
        }
        Signature s = jcaSignature();
        s.initVerify(publicKey);
        s.update(signingInput);
        return s.verify(signature);
    }

    @Benchmark
    public Object verifyJjwt() {
        return jjwtParser.parseSignedClaims(token);
    }
}
