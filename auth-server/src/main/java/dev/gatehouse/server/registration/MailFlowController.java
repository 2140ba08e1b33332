package dev.gatehouse.server.registration;

import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.server.ResponseStatusException;

/**
 * What the e-mail flows' controllers share: the self-service, and the switch of their flow. A flow that is off does
 * not exist: every page of it answers 404, before its handler runs (Spring MVC calls a controller's
 * {@link ModelAttribute} methods first).
 */
abstract sealed class MailFlowController
        permits RegistrationController, PasswordResetController, EmailChangeController {

    final SelfService service;
    private final boolean enabled;

    MailFlowController(SelfService service, boolean enabled) {
        this.service = Objects.requireNonNull(service, "service must not be null");
        this.enabled = enabled;
    }

    /** Answers 404 when the flow is off. */
    @ModelAttribute
    final void requireOn() {
        if (!enabled) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }
}
