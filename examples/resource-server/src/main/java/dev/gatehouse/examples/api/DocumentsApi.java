package dev.gatehouse.examples.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A documents API guarded by Gatehouse through the starter alone: bearer tokens are validated against the
 * issuer's JWKS, and every endpoint asks the policy decision point (RBAC roles, ABAC rules with CEL, and OPA
 * when configured) through {@code @authz}. Run with {@code java -jar examples/resource-server/target/resource-server.jar}.
 */
@SpringBootApplication
@EnableMethodSecurity
public class DocumentsApi {

    /**
     * Starts the API on port 8082.
     *
     * @param args Spring Boot arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(DocumentsApi.class, args);
    }

    /** An in-memory document store; {@link #attributes} is what policies see of a document. */
    @Component("documents")
    public static class Documents {

        private final Map<String, Map<String, Object>> store = new ConcurrentHashMap<>(Map.of(
                "d-1", Map.of("id", "d-1", "owner", "demo", "title", "Quarterly plan", "locked", false),
                "d-2", Map.of("id", "d-2", "owner", "someone-else", "title", "Board minutes", "locked", false),
                "d-3", Map.of("id", "d-3", "owner", "demo", "title", "Signed contract", "locked", true),
                "d-4", Map.of("id", "d-4", "owner", "demo", "title", "Merger plans", "classified", true)));

        /**
         * The attributes of a document for a policy check.
         *
         * @param id the document id
         * @return its attributes; an unknown id yields only the id (and so only role-based access)
         */
        public Map<String, Object> attributes(String id) {
            return store.getOrDefault(id, Map.of("id", id));
        }

        @Nullable
        Map<String, Object> find(String id) {
            return store.get(id);
        }

        Map<String, Object> get(String id) {
            Map<String, Object> doc = store.get(id);
            if (doc == null) {
                throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
            return doc;
        }

        Map<String, Object> retitle(String id, String title) {
            Map<String, Object> updated = new LinkedHashMap<>(get(id));
            updated.put("title", title);
            store.put(id, Map.copyOf(updated));
            return updated;
        }

        void delete(String id) {
            get(id);
            store.remove(id);
        }
    }

    /** The endpoints; each states its policy check. */
    @RestController
    static class DocumentsController {

        private final Documents documents;

        DocumentsController(Documents documents) {
            this.documents = documents;
        }

        /** RBAC: role {@code user} (and everything inheriting it) may read. */
        @GetMapping("/documents/{id}")
        @PreAuthorize("@authz.permits('document:read', @documents.attributes(#id))")
        Map<String, Object> read(@PathVariable String id) {
            return documents.get(id);
        }

        /** RBAC ({@code editor}) or ABAC (the owner, during business hours); never a locked document. */
        @PutMapping("/documents/{id}")
        @PreAuthorize("@authz.permits('document:write', @documents.attributes(#id))")
        Map<String, Object> retitle(@PathVariable String id, @RequestBody Map<String, String> body) {
            String title = body.getOrDefault("title", "");
            if (title.isBlank() || title.length() > 200) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "title must be 1 to 200 characters");
            }
            return documents.retitle(id, title);
        }

        /** RBAC: {@code admin} only; ABAC still vetoes locked documents (deny-overrides). */
        @DeleteMapping("/documents/{id}")
        @PreAuthorize("@authz.permits('document:delete', @documents.attributes(#id))")
        void delete(@PathVariable String id) {
            documents.delete(id);
        }
    }
}
