package dev.gatehouse.server.account;

import java.util.List;
import java.util.Objects;

/**
 * One error of a form, for the page's error summary: the field it belongs to (the summary links to it) and a message
 * key of the {@code account} bundle with its arguments. Never carries what the user typed.
 *
 * @param field the input's id
 * @param key the message key
 * @param args the message's arguments
 */
record FormError(String field, String key, List<Object> args) {

    FormError {
        Objects.requireNonNull(field, "field must not be null");
        Objects.requireNonNull(key, "key must not be null");
        args = List.copyOf(args);
    }

    static FormError of(String field, String key, Object... args) {
        return new FormError(field, key, List.of(args));
    }

    /** The arguments as Thymeleaf's {@code #messages.msgWithParams} takes them. */
    public Object[] params() {
        return args.toArray();
    }
}
