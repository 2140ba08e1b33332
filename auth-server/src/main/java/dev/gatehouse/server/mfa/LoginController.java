package dev.gatehouse.server.mfa;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The sign-in page. It echoes nothing the request carries (not even the username typed), and its only message
 * after a failure is the same for unknown users, wrong passwords, disabled accounts and throttled attempts.
 */
@Controller
public final class LoginController {

    /** Creates the controller. */
    public LoginController() {}

    /** The sign-in form. */
    @GetMapping("/login")
    String login() {
        return "login";
    }
}
