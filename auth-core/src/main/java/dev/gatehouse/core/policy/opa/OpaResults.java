package dev.gatehouse.core.policy.opa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.Obligation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Reads an OPA decision document the same way for REST and Wasm. */
final class OpaResults {

    private static final int MAX_REASON = 300;

    private OpaResults() {}

    /**
     * Interprets the result set an OPA Wasm policy returns: {@code []} when the document is undefined, {@code
     * [{"result": <document>}]} otherwise (opa-java-wasm's output); the document as {@link #interpret}.
     */
    /**
     * The request as JSON, or null if Jackson cannot encode it. Kept here, not in {@link OpaWasmEngine}, so that
     * class links without Jackson on the classpath (its builder reports the missing library instead).
     */
    static @Nullable String json(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static Evaluation interpretResultSet(String policy, String document, ObjectMapper mapper, String resultSet) {
        JsonNode node;
        try {
            node = mapper.readTree(resultSet);
        } catch (JsonProcessingException e) {
            return Evaluation.indeterminate(policy, document, "Wasm policy returned malformed JSON");
        }
        if (!node.isArray() || node.isEmpty() || !node.get(0).has("result")) {
            return Evaluation.indeterminate(policy, document, "document " + document + " is undefined");
        }
        Object result = mapper.convertValue(node.get(0).get("result"), Object.class);
        return interpret(policy, document, result);
    }

    /**
     * Interprets a document: {@code true}/{@code false}, or an object with a boolean {@code allow} and
     * optional {@code reason} (string), {@code reasons} (list of strings) and {@code obligations} (list of
     * {@code {id, attributes}}); or {@code {"applicable": false}} for no opinion. Anything else is indeterminate.
     */
    static Evaluation interpret(String policy, String document, @Nullable Object result) {
        if (result == null) {
            return Evaluation.indeterminate(policy, document, "document " + document + " is undefined");
        }
        if (result instanceof Boolean allow) {
            return allow
                    ? Evaluation.permit(policy, document, "document " + document + " is true")
                    : Evaluation.deny(policy, document, "document " + document + " is false");
        }
        if (result instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("applicable")) && !m.containsKey("allow")) {
            // The policy has no opinion on this request (XACML NotApplicable): lets OPA act as one engine among
            // several (e.g. a veto for classified documents) under the combining algorithms.
            String reason = reason(m);
            return Evaluation.notApplicable(
                    policy, reason == null ? "document " + document + " does not apply" : reason);
        }
        if (result instanceof Map<?, ?> m && m.get("allow") instanceof Boolean allow) {
            String reason = reason(m);
            String why = reason == null ? "document " + document + ".allow is " + allow : reason;
            Evaluation e = allow ? Evaluation.permit(policy, document, why) : Evaluation.deny(policy, document, why);
            List<Obligation> obligations = obligations(m.get("obligations"));
            if (obligations == null) {
                return Evaluation.indeterminate(
                        policy, document, "document " + document + " has malformed obligations");
            }
            return obligations.isEmpty() ? e : e.withObligations(obligations);
        }
        return Evaluation.indeterminate(
                policy,
                document,
                "document " + document + " is neither a boolean nor an object with a boolean 'allow' ("
                        + result.getClass().getSimpleName() + ")");
    }

    private static @Nullable String reason(Map<?, ?> m) {
        String r = null;
        if (m.get("reason") instanceof String s) {
            r = s;
        } else if (m.get("reasons") instanceof List<?> l && !l.isEmpty()) {
            r = l.stream().map(String::valueOf).collect(Collectors.joining("; "));
        }
        if (r == null) {
            return null;
        }
        r = r.replaceAll("\\p{Cntrl}", " ");
        return r.length() > MAX_REASON ? r.substring(0, MAX_REASON) + "..." : r;
    }

    @SuppressWarnings("unchecked")
    private static @Nullable List<Obligation> obligations(@Nullable Object o) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            return null;
        }
        List<Obligation> out = new ArrayList<>();
        try {
            for (Object item : l) {
                if (!(item instanceof Map<?, ?> m) || !(m.get("id") instanceof String id)) {
                    return null;
                }
                Object attrs = m.get("attributes");
                out.add(new Obligation(id, attrs instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of()));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return out;
    }
}
