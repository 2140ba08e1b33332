package dev.gatehouse.server.registration;

import dev.gatehouse.server.settings.MailFlowProperties;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Tells every page which e-mail flows are on ({@code selfService.register}, {@code selfService.forgot},
 * {@code selfService.emailChange}), so the sign-in and account pages link to them only then.
 */
@ControllerAdvice
final class SelfServiceLinks {

    /**
     * The flows the sign-in page links to.
     *
     * @param register self-registration is on
     * @param forgot the forgotten-password flow is on
     * @param emailChange the change of address at {@code /account/email} is on (for the account pages' link)
     */
    record Links(boolean register, boolean forgot, boolean emailChange) {}

    private final Links links;

    SelfServiceLinks(MailFlowProperties properties) {
        this.links = new Links(
                properties.registrationEnabled(), properties.passwordResetEnabled(), properties.emailChangeEnabled());
    }

    @ModelAttribute("selfService")
    Links selfService() {
        return links;
    }
}
