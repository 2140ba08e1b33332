package dev.gatehouse.server.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads admin request bodies ({@link AdminRequest} types only) with unknown properties refused, so a misspelt field
 * is a 400 rather than silently ignored. Writes nothing; every other type is left to the application's converters.
 */
final class StrictAdminJsonConverter extends JacksonJsonHttpMessageConverter {

    StrictAdminJsonConverter(JsonMapper mapper) {
        super(mapper);
    }

    @Override
    public boolean canRead(ResolvableType type, @Nullable MediaType mediaType) {
        return AdminRequest.class.isAssignableFrom(type.toClass()) && super.canRead(type, mediaType);
    }

    @Override
    public boolean canWrite(ResolvableType type, Class<?> valueClass, @Nullable MediaType mediaType) {
        return false;
    }

    @Override
    protected ObjectReader customizeReader(ObjectReader reader, JavaType javaType) {
        return reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
