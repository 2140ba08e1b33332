package dev.gatehouse.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints a {@link GatehouseConfigurationException} (a missing master key, a bad secret, a refused combination,
 * an unknown property) as Spring Boot's "APPLICATION FAILED TO START" with its Description and Action, instead
 * of a message at the bottom of a long stack trace. The exception's message never holds a secret.
 */
final class GatehouseConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<GatehouseConfigurationException> {

    static final String DEFAULT_ACTION = "Correct the gatehouse.* property named above. The auth-spring-starter"
            + " README lists each property with its default and bounds.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, GatehouseConfigurationException cause) {
        String action = cause.action();
        return new FailureAnalysis(cause.description(), action == null ? DEFAULT_ACTION : action, cause);
    }
}
