package dev.gatehouse.server.registration;

import dev.gatehouse.server.settings.MailFlowProperties;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Tells the sign-in page which e-mail flows are on ({@code selfService.register}, {@code selfService.forgot}), so
 * it links to them only then.
 */
@ControllerAdvice
final class SelfServiceLinks {

    /**
     * The flows the sign-in page links to.
     *
     * @param register self-registration is on
     * @param forgot the forgotten-password flow is on
     */
    record Links(boolean register, boolean forgot) {}

    private final Links links;

    SelfServiceLinks(MailFlowProperties properties) {
        this.links = new Links(properties.registrationEnabled(), properties.passwordResetEnabled());
    }

    @ModelAttribute("selfService")
    Links selfService() {
        return links;
    }
}
