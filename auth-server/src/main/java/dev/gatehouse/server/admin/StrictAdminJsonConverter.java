package dev.gatehouse.server.admin;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads admin request bodies ({@link AdminRequest} types only) with unknown properties refused, so a misspelt field
 * is a 400 rather than silently ignored, and with duplicate member names refused at every depth (RFC 8259 §4: names
 * SHOULD be unique, and parsers disagree on which one wins, so a body that a proxy, a WAF or a reviewer read one way
 * could otherwise be applied another way). The whole body is scanned for duplicates before it is bound, so a
 * duplicate is reported as such wherever it sits, even inside a value that binding would refuse for another reason.
 * Writes nothing; every other type is left to the application's converters.
 */
final class StrictAdminJsonConverter extends JacksonJsonHttpMessageConverter {

    /** The exception message prefix Jackson uses for a duplicate name (it has no exception type of its own). */
    static final String DUPLICATE = "Duplicate Object property";

    private final ObjectReader scanner;

    StrictAdminJsonConverter(JsonMapper mapper) {
        super(mapper);
        this.scanner = mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
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
    public Object read(ResolvableType type, HttpInputMessage inputMessage, @Nullable Map<String, Object> hints)
            throws IOException {
        // Admin bodies are small and only reach here from an authenticated administrator (the filter chain runs
        // first); buffering lets the body be scanned whole, then bound.
        byte[] body = inputMessage.getBody().readAllBytes();
        if (body.length > 0) {
            try (JsonParser parser = scanner.createParser(body)) {
                while (parser.nextToken() != null) {
                    // Every token read; the parser throws on the second occurrence of a name in one object.
                }
            } catch (JacksonException e) {
                if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith(DUPLICATE)) {
                    throw new HttpMessageNotReadableException("duplicate member name", e, inputMessage);
                }
                // Anything else malformed is reported by the binding below, as before.
            }
        }
        return super.read(type, new Buffered(inputMessage.getHeaders(), body), hints);
    }

    @Override
    protected ObjectReader customizeReader(ObjectReader reader, JavaType javaType) {
        return reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    private record Buffered(HttpHeaders headers, byte[] body) implements HttpInputMessage {
        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(body);
        }
    }
}
