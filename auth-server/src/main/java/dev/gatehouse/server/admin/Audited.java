package dev.gatehouse.server.admin;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an admin handler method that changes something: {@link AdminAuditInterceptor} records one audit event of
 * {@link #value()} for every call, successful or not.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@interface Audited {

    /**
     * The event type, e.g. {@code admin.user.create}.
     *
     * @return the type
     */
    String value();

    /**
     * The URI template variable naming the target (username, client id, ...), when the handler does not set one.
     *
     * @return the variable name, or empty
     */
    String subject() default "";
}
