package dev.gatehouse.server.clients;

import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

/**
 * How a FAPI 2.0 client ({@link Fapi2Profile}) must have authenticated at the token and pushed authorization request
 * endpoints: {@code private_key_jwt} (FAPI 2.0 Security Profile §5.3.2.1; mutual TLS, its other method, is not
 * offered).
 */
@Component
public final class Fapi2ClientAuthentication {

    /** The profile's rule: {@code private_key_jwt} only. */
    public Fapi2ClientAuthentication() {}

    /**
     * Whether a FAPI 2.0 client that authenticated with this method may go on.
     *
     * @param method the method the client authenticated with
     * @return {@code true} only for {@code private_key_jwt}
     */
    public boolean accepts(ClientAuthenticationMethod method) {
        return ClientAuthenticationMethod.PRIVATE_KEY_JWT.equals(method);
    }
}
