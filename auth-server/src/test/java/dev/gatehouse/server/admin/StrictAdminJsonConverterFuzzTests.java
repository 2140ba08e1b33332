package dev.gatehouse.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.mock.http.MockHttpInputMessage;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzz target for the admin API's JSON request bodies, read by {@link StrictAdminJsonConverter}: a body is refused with
 * {@link HttpMessageNotReadableException} (a 400 {@code admin.unreadable_body} or {@code admin.duplicate_field}), or
 * bound to its request type when it is one JSON object with no name repeated at any depth and only the type's
 * documented fields; Bean Validation of what was bound never throws. Corpus: {@code
 * StrictAdminJsonConverterFuzzTestsInputs/}.
 */
class StrictAdminJsonConverterFuzzTests {

    private static final List<Class<? extends AdminRequest>> TYPES = List.of(
            UserAdminController.CreateUserRequest.class,
            UserAdminController.PasswordResetRequest.class,
            UserAdminController.MfaRequiredRequest.class,
            RoleAdminController.CreateRoleRequest.class,
            RoleAdminController.UpdateRoleRequest.class,
            ClientAdminController.RegisterClientRequest.class,
            ClientAdminController.RequireMfaRequest.class,
            ClientAdminController.IntrospectionRequest.class,
            ClientAdminController.RedirectUrisRequest.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final StrictAdminJsonConverter CONVERTER = new StrictAdminJsonConverter(JSON);
    private static final ObjectReader STRICT = JSON.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    private static final Validator VALIDATOR =
            Validation.buildDefaultValidatorFactory().getValidator();

    /** The first line names the request type (e.g. {@code CreateUserRequest}); the rest is the body. */
    @FuzzTest(maxDuration = "2m")
    void readWhenArbitraryBodyThenNotReadableOrAStrictlyWellFormedRequest(FuzzedDataProvider data) throws Exception {
        byte[] input = data.consumeRemainingAsBytes();
        int newline = indexOf(input, (byte) '\n');
        String name = new String(input, 0, Math.max(newline, 0), StandardCharsets.UTF_8);
        byte[] body = newline < 0 ? input : Arrays.copyOfRange(input, newline + 1, input.length);
        Class<? extends AdminRequest> type = TYPES.stream()
                .filter(t -> t.getSimpleName().equals(name))
                .findFirst()
                .orElse(TYPES.get(Math.floorMod(name.hashCode(), TYPES.size())));
        MockHttpInputMessage message = new MockHttpInputMessage(body);
        message.getHeaders().setContentType(MediaType.APPLICATION_JSON);

        Object read;
        try {
            read = CONVERTER.read(ResolvableType.forClass(type), message, null);
        } catch (HttpMessageNotReadableException refused) {
            return;
        }
        if (read == null) {
            return; // a JSON null: Spring reports the required body as missing (400)
        }
        assertThat(read).isInstanceOf(type);
        JsonNode tree = STRICT.readTree(body);
        assertThat(tree.isObject()).isTrue();
        Set<String> fields =
                Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).collect(Collectors.toSet());
        assertThat(tree.propertyNames()).isSubsetOf(fields);
        assertThatCode(() -> VALIDATOR.validate(read)).doesNotThrowAnyException();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
