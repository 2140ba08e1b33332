package dev.gatehouse.server.admin;

import dev.gatehouse.core.jwt.KeyRing;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/keys}: the signing keys of auth-core's {@link KeyRing} (public facts only: id, algorithm, state,
 * dates) and rotation on demand. Rotation is a compare-and-set on the shared store, safe with several nodes.
 *
 * <p>A forced rotation activates the NEXT key only once it has been published for the ring's publication delay (every
 * node serves it, every cached JWKS has expired: SECURITY.md, "Signing keys across nodes"); before that it is refused
 * with 409 {@code admin.key.not_yet_published}, saying when to retry. {@code ?emergency=true} is for a leaked key:
 * every key is replaced at once and every token issued before stops verifying.
 */
@RestController
@RequestMapping(path = "/admin/keys", produces = "application/json")
@Tag(name = "keys", description = "Token signing keys")
final class KeyAdminController {

    private final KeyRing ring;

    KeyAdminController(KeyRing ring) {
        this.ring = ring;
    }

    /**
     * A signing key, without any key material.
     *
     * @param kid the key id (RFC 7638 thumbprint)
     * @param algorithm the JWS algorithm
     * @param state {@code NEXT}, {@code ACTIVE} or {@code RETIRING}
     * @param createdAt when it was generated
     * @param activatedAt when it started signing
     * @param retiringAt when it stopped signing
     */
    record KeyView(
            String kid,
            String algorithm,
            String state,
            Instant createdAt,
            @Nullable Instant activatedAt,
            @Nullable Instant retiringAt) {}

    /**
     * The ring after a rotation.
     *
     * @param previousKid the key that signed before
     * @param activeKid the key that signs now
     * @param keys every published key
     */
    record Rotation(String previousKid, String activeKid, List<KeyView> keys) {}

    @GetMapping
    @Operation(summary = "List the published signing keys (no key material)")
    List<KeyView> list() {
        ring.refresh(); // another node may have rotated
        return views();
    }

    @PostMapping("/rotate")
    @Audited("admin.key.rotate")
    @Operation(
            summary = "Rotate: the NEXT key starts signing once every verifier can fetch it, the active key retires;"
                    + " emergency=true replaces every key at once (for a leaked key)")
    Rotation rotate(
            HttpServletRequest request, @RequestParam(name = "emergency", defaultValue = "false") boolean emergency) {
        ring.refresh();
        String previous = ring.activeKey().kid();
        String active;
        if (emergency) {
            active = ring.replaceCompromisedKeys().kid();
            AdminAuditInterceptor.detail(request, "emergency", "true");
        } else {
            dev.gatehouse.core.jwt.Rotation outcome = ring.rotateWhenPublished();
            if (outcome instanceof dev.gatehouse.core.jwt.Rotation.NotYetPublished n) {
                throw AdminException.conflict(
                        "admin.key.not_yet_published",
                        "The next key " + n.nextKid() + " has been published since " + n.publishedAt()
                                + "; it may sign from " + n.signsFrom() + ", once every node and every cached JWKS"
                                + " has it. Retry then, or rotate with emergency=true if a key has leaked.");
            }
            active = ((dev.gatehouse.core.jwt.Rotation.Rotated) outcome).activeKid();
        }
        request.setAttribute(AdminAuditInterceptor.SUBJECT, active);
        AdminAuditInterceptor.detail(request, "previous", previous);
        return new Rotation(previous, active, views());
    }

    private List<KeyView> views() {
        return ring.keys().stream()
                .map(k -> new KeyView(
                        k.kid(),
                        k.algorithm().joseName(),
                        k.state().name(),
                        k.createdAt(),
                        k.activatedAt().orElse(null),
                        k.retiringAt().orElse(null)))
                .toList();
    }
}
