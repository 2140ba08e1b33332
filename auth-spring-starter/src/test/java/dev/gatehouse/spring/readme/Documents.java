package dev.gatehouse.spring.readme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Service;

// tag::method-security-service[]
@Service
public class Documents {

    private final Map<String, String> texts = new ConcurrentHashMap<>();

    @PreAuthorize("@authz.permits('document:read', #id)") // permission resource:action, then the resource id
    public String read(String id) {
        return texts.getOrDefault(id, "");
    }

    @PreAuthorize("@authz.permits('document:write', #id)")
    public void write(String id, String text) {
        texts.put(id, text);
    }
}
// end::method-security-service[]
