package dev.gatehouse.server.account;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationListener;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Notes in the session, at the password step of a browser sign-in, a coarse device label (browser and system family,
 * never the whole {@code User-Agent}) and the client address, so the sessions page can tell the user's sessions
 * apart. Spring Security moves the attributes to the signed-in session (session fixation protection copies them).
 */
final class SignInDevice implements ApplicationListener<AuthenticationSuccessEvent> {

    /** Session attribute: the device label. */
    static final String DEVICE = SignInDevice.class.getName() + ".device";

    /** Session attribute: the client address at sign-in. */
    static final String ADDRESS = SignInDevice.class.getName() + ".address";

    @Override
    public void onApplicationEvent(AuthenticationSuccessEvent event) {
        if (!hasPasswordFactor(event)
                || !(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return;
        }
        HttpServletRequest request = attributes.getRequest();
        HttpSession session = request.getSession(false);
        if (session == null) {
            return;
        }
        session.setAttribute(DEVICE, label(request.getHeader("User-Agent")));
        session.setAttribute(ADDRESS, AccountAudit.address(request));
    }

    private static boolean hasPasswordFactor(AuthenticationSuccessEvent event) {
        for (GrantedAuthority a : event.getAuthentication().getAuthorities()) {
            if (FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(a.getAuthority())) {
                return true;
            }
        }
        return false;
    }

    /** Browser and system family, e.g. {@code Firefox, Linux}; empty when neither is known. */
    static String label(@Nullable String userAgent) {
        if (userAgent == null || userAgent.length() > 1024) {
            return "";
        }
        String ua = userAgent.toLowerCase(Locale.ROOT);
        String browser = ua.contains("edg/")
                ? "Edge"
                : ua.contains("firefox/")
                        ? "Firefox"
                        : ua.contains("chrome/") || ua.contains("chromium/")
                                ? "Chrome"
                                : ua.contains("safari/") ? "Safari" : "";
        String system = ua.contains("android")
                ? "Android"
                : ua.contains("iphone") || ua.contains("ipad")
                        ? "iOS"
                        : ua.contains("windows")
                                ? "Windows"
                                : ua.contains("mac os") || ua.contains("macintosh")
                                        ? "macOS"
                                        : ua.contains("linux") ? "Linux" : "";
        if (browser.isEmpty() || system.isEmpty()) {
            return browser + system;
        }
        return browser + ", " + system;
    }
}
