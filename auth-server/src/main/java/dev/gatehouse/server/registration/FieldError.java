package dev.gatehouse.server.registration;

import java.util.Objects;

/**
 * One refused form field, for the page's error summary and the field itself.
 *
 * @param field the field's name (and the id of its input)
 * @param key the message key of the explanation (bundle {@code i18n/mail})
 */
record FieldError(String field, String key) {

    FieldError {
        Objects.requireNonNull(field, "field must not be null");
        Objects.requireNonNull(key, "key must not be null");
    }
}
