package dev.gatehouse.server.clients;

import java.util.Objects;
import java.util.Set;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

/**
 * How a FAPI 2.0 client ({@link Fapi2Profile}) must have authenticated at the token and pushed authorization request
 * endpoints: {@code private_key_jwt} (FAPI 2.0 Security Profile §5.3.2.1; mutual TLS, its other method, is not
 * offered). A bean so that suites can run FAPI flows with a method the server they test supports.
 */
@Component
public final class Fapi2ClientAuthentication {

    private final Set<ClientAuthenticationMethod> methods;

    /** The profile's rule: {@code private_key_jwt} only. */
    public Fapi2ClientAuthentication() {
        this(Set.of(ClientAuthenticationMethod.PRIVATE_KEY_JWT));
    }

    /**
     * Accepts the given methods instead.
     *
     * @param methods the methods a FAPI 2.0 client may authenticate with
     */
    public Fapi2ClientAuthentication(Set<ClientAuthenticationMethod> methods) {
        this.methods = Set.copyOf(Objects.requireNonNull(methods, "methods must not be null"));
    }

    /**
     * Whether a FAPI 2.0 client that authenticated with this method may go on.
     *
     * @param method the method the client authenticated with
     * @return {@code true} when accepted
     */
    public boolean accepts(ClientAuthenticationMethod method) {
        return methods.contains(method);
    }
}
