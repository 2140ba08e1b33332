package dev.gatehouse.server.signin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

class PathOnlyRequestCacheTests {

    private final PathOnlyRequestCache cache =
            PathOnlyRequestCache.of(PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/oauth2/authorize"));
    private final MockHttpServletResponse response = new MockHttpServletResponse();

    @Test
    void saveRequestWhenMatchedThenOnlyMethodPathAndQueryKept() {
        MockHttpServletRequest request = authorize("client_id=c&state=s%20t");
        request.addHeader("Authorization", "Basic c2VjcmV0");
        request.setCookies(new Cookie("JSESSIONID", "c2Vzc2lvbg"), new Cookie("site", "private"));

        cache.saveRequest(request, response);

        Object stored = request.getSession().getAttribute(PathOnlyRequestCache.SAVED_REQUEST);
        assertThat(stored)
                .isEqualTo(new PathOnlyRequestCache.SavedPath("GET", "/oauth2/authorize", "client_id=c&state=s%20t"));
        SavedRequest saved = cache.getRequest(request, response);
        assertThat(saved).isNotNull();
        assertThat(saved.getRedirectUrl()).isEqualTo("/oauth2/authorize?client_id=c&state=s%20t&continue");
        assertThat(saved.getMethod()).isEqualTo("GET");
        assertThat(saved.getHeaderNames()).isEmpty();
        assertThat(saved.getHeaderValues("Authorization")).isEmpty();
        assertThat(saved.getCookies()).isEmpty();
        assertThat(saved.getParameterMap()).isEmpty();
        assertThat(saved.getParameterValues("client_id")).isEmpty();
        assertThat(saved.getLocales()).isEmpty();
    }

    @Test
    void saveRequestWhenNotMatchedThenNoSession() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/somewhere");

        cache.saveRequest(request, response);

        assertThat(request.getSession(false)).isNull();
    }

    @Test
    void saveRequestWhenNoQueryThenRedirectUrlIsPathWithContinue() {
        MockHttpServletRequest request = authorize(null);

        cache.saveRequest(request, response);

        assertThat(cache.getRequest(request, response).getRedirectUrl()).isEqualTo("/oauth2/authorize?continue");
    }

    @Test
    void saveRequestWhenQueryAlreadyHasContinueThenMarkerNotRepeated() {
        MockHttpServletRequest request = authorize("continue&client_id=c&continue=x");

        cache.saveRequest(request, response);

        assertThat(cache.getRequest(request, response).getRedirectUrl())
                .isEqualTo("/oauth2/authorize?client_id=c&continue");
    }

    @Test
    void getMatchingRequestWhenSavedRequestComesBackThenRemovedAndRequestReturnedUnwrapped() {
        MockHttpSession session = new MockHttpSession();
        MockHttpServletRequest first = authorize("client_id=c");
        first.setSession(session);
        cache.saveRequest(first, response);
        MockHttpServletRequest back = authorize("client_id=c&continue");
        back.setSession(session);

        assertThat(cache.getMatchingRequest(back, response)).isSameAs(back);
        assertThat(cache.getRequest(back, response)).isNull();
    }

    @Test
    void getMatchingRequestWhenNoContinueOrAnotherRequestThenNullAndSavedRequestKept() {
        MockHttpSession session = new MockHttpSession();
        MockHttpServletRequest first = authorize("client_id=c");
        first.setSession(session);
        cache.saveRequest(first, response);
        MockHttpServletRequest plain = authorize("client_id=c");
        plain.setSession(session);
        MockHttpServletRequest other = authorize("client_id=other&continue");
        other.setSession(session);

        assertThat(cache.getMatchingRequest(plain, response)).isNull();
        assertThat(cache.getMatchingRequest(other, response)).isNull();
        assertThat(cache.getRequest(other, response)).isNotNull();
    }

    @Test
    void createWhenAnyRequestThenSaved() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/mfa/anything");
        request.setQueryString("a=b");

        PathOnlyRequestCache.create().saveRequest(request, response);

        assertThat(PathOnlyRequestCache.create().getRequest(request, response).getRedirectUrl())
                .isEqualTo("/mfa/anything?a=b&continue");
    }

    private static MockHttpServletRequest authorize(String query) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/oauth2/authorize");
        request.setQueryString(query);
        return request;
    }
}
