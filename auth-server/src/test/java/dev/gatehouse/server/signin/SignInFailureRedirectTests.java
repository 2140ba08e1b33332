package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;

/** A failed sign-in leaves nothing in the session, in particular not the password as typed. */
class SignInFailureRedirectTests {

    private static final String TYPED = "correct horse battery staple 7";

    /** As {@code ProviderManager} throws it: the failed request, credentials included, rides on the exception. */
    private static BadCredentialsException failure() {
        BadCredentialsException e = new BadCredentialsException("Bad credentials");
        e.setAuthenticationRequest(UsernamePasswordAuthenticationToken.unauthenticated("alice", TYPED));
        return e;
    }

    private static MockHttpServletRequest signInPost() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");
        request.getSession(true); // the sign-in form's CSRF token lives in a session already
        return request;
    }

    /** What a node would write to a shared session table: every attribute, serialised. */
    private static String serialised(HttpSession session) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            for (String name : Collections.list(session.getAttributeNames())) {
                out.writeObject(session.getAttribute(name));
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void springDefaultHandlerWhenSignInFailsThenSessionHoldsTheTypedPassword() throws Exception {
        // Why the server has its own handler: this is what it replaces.
        MockHttpServletRequest request = signInPost();

        new SimpleUrlAuthenticationFailureHandler("/login?error")
                .onAuthenticationFailure(request, new MockHttpServletResponse(), failure());

        assertThat(request.getSession().getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION))
                .isNotNull();
        assertThat(serialised(request.getSession())).contains(TYPED);
    }

    @Test
    void onAuthenticationFailureWhenSignInFailsThenRedirectsAndKeepsNothingInTheSession() throws Exception {
        MockHttpServletRequest request = signInPost();
        MockHttpServletResponse response = new MockHttpServletResponse();

        new SignInFailureRedirect().onAuthenticationFailure(request, response, failure());

        assertThat(response.getRedirectedUrl()).isEqualTo("/login?error");
        assertThat(request.getSession().getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION))
                .isNull();
        assertThat(serialised(request.getSession())).doesNotContain(TYPED);
    }

    @Test
    void onAuthenticationFailureWhenAnEarlierFailureIsStoredThenItIsRemoved() throws Exception {
        MockHttpServletRequest request = signInPost();
        request.getSession().setAttribute(WebAttributes.AUTHENTICATION_EXCEPTION, failure());

        new SignInFailureRedirect().onAuthenticationFailure(request, new MockHttpServletResponse(), failure());

        assertThat(serialised(request.getSession())).doesNotContain(TYPED);
    }

    @Test
    void onAuthenticationFailureWhenNoSessionThenCreatesNone() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");

        new SignInFailureRedirect().onAuthenticationFailure(request, new MockHttpServletResponse(), failure());

        assertThat(request.getSession(false)).isNull();
    }
}
