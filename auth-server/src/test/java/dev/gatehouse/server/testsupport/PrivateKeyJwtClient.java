package dev.gatehouse.server.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The client's side of {@code private_key_jwt} client authentication (RFC 7523 §2.2, §3; draft-ietf-oauth-rfc7523bis),
 * for tests that talk to the server as such a client: an RSA key (kid {@value #KID}), its public JWK Set to register,
 * and signed assertions ({@code RS256}) whose {@code iss} and {@code sub} are the client, whose {@code aud} is the
 * authorization server's issuer alone, with a fresh {@code jti} and a 60 s lifetime unless a test changes them.
 */
public final class PrivateKeyJwtClient {

    /** RFC 7523 §2.2: the {@code client_assertion_type} of a JWT assertion. */
    public static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** The key id of the key {@link #generate} makes. */
    public static final String KID = "k1";

    private final String clientId;
    private final RSAKey key;

    private PrivateKeyJwtClient(String clientId, RSAKey key) {
        this.clientId = Objects.requireNonNull(clientId, "clientId must not be null");
        this.key = Objects.requireNonNull(key, "key must not be null");
    }

    /**
     * A client with a fresh 2048-bit RSA key.
     *
     * @param clientId the client's id
     * @return the client
     */
    public static PrivateKeyJwtClient generate(String clientId) {
        try {
            return of(clientId, new RSAKeyGenerator(2048).keyID(KID).generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client signing with the given key (its {@code kid} goes into each assertion's header).
     *
     * @param clientId the client's id
     * @param key its private key
     * @return the client
     */
    public static PrivateKeyJwtClient of(String clientId, RSAKey key) {
        return new PrivateKeyJwtClient(clientId, key);
    }

    /** The client's id. */
    public String clientId() {
        return clientId;
    }

    /** The client's private key. */
    public RSAKey key() {
        return key;
    }

    /** The JWK Set to register for the client (RFC 7591 §2 {@code jwks}): the public key only. */
    public String publicJwks() {
        return new JWKSet(key).toString(true);
    }

    /**
     * An assertion's claims, as the rules want them, changed by {@code change}.
     *
     * @param audience the authorization server's issuer
     * @param change what the test changes (nothing: {@code c -> {}})
     * @return the claims
     */
    public JWTClaimsSet claims(String audience, Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(clientId)
                .subject(clientId)
                .audience(audience)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)));
        change.accept(b);
        return b.build();
    }

    /**
     * A signed assertion ({@code RS256}, this client's key) with the claims of {@link #claims}.
     *
     * @param audience the authorization server's issuer
     * @param change what the test changes
     * @return the compact JWS
     */
    public String assertion(String audience, Consumer<JWTClaimsSet.Builder> change) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims(audience, change));
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /**
     * The form with this client's authentication added (RFC 7523 §2.2): {@code client_id}, {@code
     * client_assertion_type} and the given assertion.
     *
     * @param form the request's own parameters
     * @param assertion the assertion to send
     * @return a new form
     */
    public Map<String, String> withAssertion(Map<String, String> form, String assertion) {
        Map<String, String> body = new LinkedHashMap<>(form);
        body.put("client_id", clientId);
        body.put("client_assertion_type", ASSERTION_TYPE);
        body.put("client_assertion", assertion);
        return body;
    }

    /**
     * The form with this client's authentication added, with a fresh valid assertion for {@code audience}.
     *
     * @param form the request's own parameters
     * @param audience the authorization server's issuer
     * @return a new form
     */
    public Map<String, String> authenticated(Map<String, String> form, String audience) {
        return withAssertion(form, assertion(audience, c -> {}));
    }
}
