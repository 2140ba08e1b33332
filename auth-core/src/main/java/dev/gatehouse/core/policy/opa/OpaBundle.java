package dev.gatehouse.core.policy.opa;

import dev.gatehouse.core.policy.PolicyException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The two files of a bundle made by {@code opa build -t wasm -e ENTRYPOINT}: {@code /policy.wasm} and
 * {@code /data.json} (https://www.openpolicyagent.org/docs/management-bundles#bundle-file-format).
 * opa-java-wasm reads raw {@code .wasm} only, so the gzip'd tar is read here — in memory, nothing is written
 * to disk, so entry names cannot escape anywhere. Entries are capped in size.
 *
 * @param wasm the compiled policy
 * @param dataJson the bundle's data document, or {@code null} if it has none
 */
public record OpaBundle(byte[] wasm, @Nullable String dataJson) {

    /** Largest entry read: 64 MiB. */
    public static final int MAX_ENTRY_BYTES = 64 * 1024 * 1024;

    private static final int BLOCK = 512;

    /**
     * Reads a bundle file.
     *
     * @param bundle the {@code bundle.tar.gz}
     * @return the policy and data
     * @throws PolicyException ({@code policy.unavailable}) if unreadable, ({@code policy.invalid_policy}) if
     *     it has no {@code policy.wasm}
     */
    public static OpaBundle read(Path bundle) {
        byte[] wasm = null;
        String data = null;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(bundle))) {
            byte[] header = new byte[BLOCK];
            while (readFully(in, header)) {
                if (isZero(header)) {
                    break;
                }
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                if (size < 0 || size > MAX_ENTRY_BYTES) {
                    throw new PolicyException(
                            PolicyException.Reason.INVALID_POLICY, bundle + ": entry " + name + " is too large");
                }
                byte[] body = readBody(in, (int) size);
                String normalised = name.startsWith("/") ? name : "/" + name;
                if (type == '0' || type == 0) {
                    if (normalised.equals("/policy.wasm")) {
                        wasm = body;
                    } else if (normalised.equals("/data.json")) {
                        data = new String(body, StandardCharsets.UTF_8);
                    }
                }
            }
        } catch (IOException e) {
            throw new PolicyException(
                    PolicyException.Reason.UNAVAILABLE, "cannot read OPA bundle " + bundle + ": " + e, e);
        }
        if (wasm == null) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY,
                    bundle + " has no /policy.wasm; build it with `opa build -t wasm -e <entrypoint>`");
        }
        return new OpaBundle(wasm, data);
    }

    private static byte[] readBody(InputStream in, int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(size, 1 << 20));
        byte[] block = new byte[BLOCK];
        int left = size;
        while (left > 0) {
            if (!readFully(in, block)) {
                throw new IOException("truncated tar entry");
            }
            out.write(block, 0, Math.min(left, BLOCK));
            left -= BLOCK;
        }
        return out.toByteArray();
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                if (off == 0) {
                    return false;
                }
                throw new IOException("truncated tar block");
            }
            off += n;
        }
        return true;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                if (v > 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }
}
