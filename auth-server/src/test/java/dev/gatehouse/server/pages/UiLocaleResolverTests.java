package dev.gatehouse.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.web.savedrequest.SimpleSavedRequest;

class UiLocaleResolverTests {

    private final UiLocaleResolver resolver = UiLocaleResolver.standard();

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"de|de", "fr-CA de|fr", "ja de-CH en|de", "ja ko|en", "''|en", "***|en", "EN-gb|en"})
    void resolveLocaleWhenAuthorizationRequestHasUiLocalesThenFirstSupportedWins(String uiLocales, String expected) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/oauth2/authorize");
        request.setQueryString("response_type=code&client_id=c&ui_locales="
                + java.net.URLEncoder.encode(uiLocales, java.nio.charset.StandardCharsets.UTF_8));
        request.addHeader("Accept-Language", "en");
        assertThat(resolver.resolveLocale(request)).isEqualTo(Locale.forLanguageTag(expected));
    }

    @Test
    void resolveLocaleWhenSavedAuthorizationRequestHasUiLocalesThenItsLanguageAndRememberedForTheSession() {
        MockHttpSession session = new MockHttpSession();
        session.setAttribute(
                UiLocaleResolver.SAVED_REQUEST,
                new SimpleSavedRequest("/oauth2/authorize?client_id=c&ui_locales=de%20fr&continue"));
        MockHttpServletRequest login = new MockHttpServletRequest("GET", "/login");
        login.setSession(session);
        login.addHeader("Accept-Language", "fr");
        assertThat(resolver.resolveLocale(login)).isEqualTo(Locale.GERMAN);

        // After the sign-in the saved request is gone; the choice stays for the browser session.
        session.removeAttribute(UiLocaleResolver.SAVED_REQUEST);
        MockHttpServletRequest consent = new MockHttpServletRequest("GET", "/oauth2/consent");
        consent.setSession(session);
        consent.addHeader("Accept-Language", "fr");
        assertThat(resolver.resolveLocale(consent)).isEqualTo(Locale.GERMAN);
    }

    @Test
    void resolveLocaleWhenSavedRequestIsPushedThenUiLocalesOfThePushedRequest() {
        UiLocaleResolver withPushed = UiLocaleResolver.standard(
                requestUri -> requestUri.equals("urn:ietf:params:oauth:request_uri:abc") ? "fr" : null);
        MockHttpSession session = new MockHttpSession();
        session.setAttribute(
                UiLocaleResolver.SAVED_REQUEST,
                new SimpleSavedRequest(
                        "/oauth2/authorize?client_id=c&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc"));
        MockHttpServletRequest login = new MockHttpServletRequest("GET", "/login");
        login.setSession(session);
        login.addHeader("Accept-Language", "de");
        assertThat(withPushed.resolveLocale(login)).isEqualTo(Locale.FRENCH);
    }

    @Test
    void rememberFromAuthorizationRequestWhenSessionExistsThenLaterPagesUseIt() {
        MockHttpSession session = new MockHttpSession();
        MockHttpServletRequest authorize = new MockHttpServletRequest("GET", "/oauth2/authorize");
        authorize.setSession(session);
        authorize.setQueryString("client_id=c&ui_locales=fr");
        resolver.rememberFromAuthorizationRequest(authorize);
        MockHttpServletRequest consent = new MockHttpServletRequest("GET", "/oauth2/consent");
        consent.setSession(session);
        assertThat(resolver.resolveLocale(consent)).isEqualTo(Locale.FRENCH);
    }

    @Test
    void rememberFromAuthorizationRequestWhenNoSessionThenCreatesNone() {
        MockHttpServletRequest authorize = new MockHttpServletRequest("GET", "/oauth2/authorize");
        authorize.setQueryString("client_id=c&ui_locales=fr");
        resolver.rememberFromAuthorizationRequest(authorize);
        assertThat(authorize.getSession(false)).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "fr|fr",
                "de-AT,de;q=0.9,en;q=0.8|de",
                "ja,fr;q=0.5,de;q=0.7|de",
                "fr;q=0,de;q=0.1|de",
                "pt-BR,es|en",
                "*|en",
                "x;;;q=abc|en"
            })
    void resolveLocaleWhenAcceptLanguageThenBestSupportedElseEnglish(String header, String expected) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/login");
        request.addHeader("Accept-Language", header);
        assertThat(resolver.resolveLocale(request)).isEqualTo(Locale.forLanguageTag(expected));
    }

    @Test
    void resolveLocaleWhenNoAcceptLanguageThenEnglishNeverTheMachinesLocale() {
        Locale machine = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/login");
            assertThat(resolver.resolveLocale(request)).isEqualTo(Locale.ENGLISH);
        } finally {
            Locale.setDefault(machine);
        }
    }

    @Test
    void resolveLocaleWhenHeaderOverlongThenIgnored() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/login");
        request.addHeader("Accept-Language", "de," + "x-abc;q=0.1,".repeat(100));
        assertThat(resolver.resolveLocale(request)).isEqualTo(Locale.ENGLISH);
    }
}
