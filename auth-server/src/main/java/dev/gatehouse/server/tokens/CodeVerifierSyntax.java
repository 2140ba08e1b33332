package dev.gatehouse.server.tokens;

import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Refuses an authorization code token request whose {@code code_verifier} is not 43 to 128 characters of
 * {@code [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"} (RFC 7636 §4.1). Spring Authorization Server only compares
 * its hash with the challenge, so a client that hashed a 3-character verifier got tokens for a proof anyone can
 * guess.
 *
 * <p>The answer is {@code 400 invalid_request}: the request is malformed (RFC 6749 §5.2); {@code invalid_grant}
 * stays for a well-formed verifier that does not match (RFC 7636 §4.6, see {@link FailedProofInvalidatesCode}). The
 * request is refused before anything is looked up, so a malformed verifier changes nothing stored.
 *
 * <p>A client authentication converter (Spring Authorization Server checks the verifier during client
 * authentication): put it first; it never converts, it returns {@code null} or refuses.
 */
public final class CodeVerifierSyntax implements AuthenticationConverter {

    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc7636#section-4.1";

    @Override
    public @Nullable Authentication convert(HttpServletRequest request) {
        if (!AuthorizationGrantType.AUTHORIZATION_CODE
                .getValue()
                .equals(request.getParameter(OAuth2ParameterNames.GRANT_TYPE))) {
            return null;
        }
        String verifier = request.getParameter(PkceParameterNames.CODE_VERIFIER);
        if (verifier != null && !VERIFIER.matcher(verifier).matches()) {
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_REQUEST,
                    "OAuth 2.0 Parameter: " + PkceParameterNames.CODE_VERIFIER,
                    ERROR_URI));
        }
        return null;
    }
}
