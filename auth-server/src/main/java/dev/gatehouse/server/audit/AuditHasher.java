package dev.gatehouse.server.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The chain's row hash: HMAC-SHA256 under a server key over an unambiguous encoding of the row. Every field is
 * written as a 4-byte big-endian length (-1 for null) followed by its UTF-8 bytes, after a version label, so no
 * two different rows encode alike (no delimiter to inject). The previous row's hash is one of the fields.
 */
final class AuditHasher {

    /** The {@code prev_hash} of the first row ever written (the chain's genesis). */
    static final String GENESIS = "0".repeat(64);

    private static final byte[] LABEL = "gatehouse-audit-v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;

    AuditHasher(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the audit chain key must have at least 256 bits");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** A MAC for one thread's use (a batch or a verification). */
    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    static String hash(
            Mac mac,
            long id,
            Instant occurredAt,
            String type,
            String outcome,
            @Nullable String actor,
            @Nullable String subject,
            String details,
            @Nullable String correlationId,
            String prevHash) {
        mac.reset();
        mac.update(LABEL);
        field(mac, Long.toString(id));
        field(mac, Long.toString(occurredAt.toEpochMilli()));
        field(mac, type);
        field(mac, outcome);
        field(mac, actor);
        field(mac, subject);
        field(mac, details);
        field(mac, correlationId);
        field(mac, prevHash);
        return HexFormat.of().formatHex(mac.doFinal());
    }

    private static void field(Mac mac, @Nullable String value) {
        if (value == null) {
            mac.update(ByteBuffer.allocate(4).putInt(-1).array());
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        mac.update(bytes);
    }
}
