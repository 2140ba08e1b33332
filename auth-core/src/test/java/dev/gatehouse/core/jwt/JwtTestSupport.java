package dev.gatehouse.core.jwt;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Shared fixtures for the jwt tests: a settable clock and a way to forge tokens an attacker could send. */
final class JwtTestSupport {

    static final String ISSUER = "https://login.example.test";
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private JwtTestSupport() {}

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static KeyRing ring(JwsAlgorithm algorithm, Clock clock) {
        return KeyRing.builder().algorithm(algorithm).clock(clock).build();
    }

    /** Signs arbitrary header and claims with a private JWK, as a third party (or attacker) would. */
    static String sign(JWK key, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        if (key instanceof RSAKey rsa) {
            jwt.sign(new RSASSASigner(rsa));
        } else if (key instanceof ECKey ec) {
            jwt.sign(new ECDSASigner(ec));
        } else {
            jwt.sign(new MACSigner(key.toOctetSequenceKey()));
        }
        return jwt.serialize();
    }

    static JWTClaimsSet accessClaims(Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject("alice")
                .audience("api")
                .claim("client_id", "web")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID("jti-" + new SecureRandom().nextInt(1_000_000))
                .build();
    }

    static JWSHeader.Builder header(JWSAlgorithm alg, String kid) {
        return new JWSHeader.Builder(alg).keyID(kid).type(new JOSEObjectType("at+jwt"));
    }

    /** HMAC over "header.payload" with raw key bytes: the classic RS256-to-HS256 key-confusion forgery. */
    static String hmacForgery(String headerJson, String payloadJson, byte[] key) throws Exception {
        String input = Base64URL.encode(headerJson).toString() + "." + Base64URL.encode(payloadJson);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return input + "." + Base64URL.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    static String unsigned(String headerJson, String payloadJson) {
        return Base64URL.encode(headerJson) + "." + Base64URL.encode(payloadJson) + ".";
    }

    static Map<String, Object> map(Object... kv) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
