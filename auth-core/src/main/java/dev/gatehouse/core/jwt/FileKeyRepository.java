package dev.gatehouse.core.jwt;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link KeyRepository} in one JSON file. Private keys in it are sealed by the key ring's envelope, so
 * the file alone reveals nothing secret; it is still written owner-only ({@code rw-------}) where the file
 * system supports POSIX permissions. Writes go to a temporary file then move atomically into place, under
 * an exclusive file lock, so concurrent processes never see or make a half-written file.
 */
public final class FileKeyRepository implements KeyRepository {

    private static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    private final Path path;
    private final Path lockPath;

    /**
     * A repository at {@code path}; the file is created on first write.
     *
     * @param path the key file
     */
    public FileKeyRepository(Path path) {
        this.path = Objects.requireNonNull(path, "path must not be null").toAbsolutePath();
        this.lockPath = this.path.resolveSibling(this.path.getFileName() + ".lock");
    }

    /**
     * The key file.
     *
     * @return its path
     */
    public Path path() {
        return path;
    }

    @Override
    public Snapshot load() {
        try (FileChannel lockChannel = openLock();
                FileLock ignored = lockChannel.lock(0, Long.MAX_VALUE, true)) {
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + path, e);
        }
    }

    @Override
    public boolean replace(long expectedVersion, List<StoredKey> keys) {
        try (FileChannel lockChannel = openLock();
                FileLock ignored = lockChannel.lock()) {
            if (read().version() != expectedVersion) {
                return false;
            }
            write(new Snapshot(expectedVersion + 1, keys));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write key file " + path, e);
        }
    }

    private FileChannel openLock() throws IOException {
        Path dir = path.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        return FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    private Snapshot read() throws IOException {
        if (!Files.exists(path)) {
            return new Snapshot(0, List.of());
        }
        if (Files.size(path) > MAX_FILE_BYTES) {
            throw new IOException("key file is larger than " + MAX_FILE_BYTES + " bytes");
        }
        String json = Files.readString(path, StandardCharsets.UTF_8);
        try {
            Map<String, Object> root = JSONObjectUtils.parse(json);
            long version = JSONObjectUtils.getLong(root, "version");
            List<StoredKey> keys = new ArrayList<>();
            Map<String, Object>[] entries = JSONObjectUtils.getJSONObjectArray(root, "keys");
            if (entries != null) {
                for (Map<String, Object> k : entries) {
                    keys.add(new StoredKey(
                            JSONObjectUtils.getString(k, "kid"),
                            JSONObjectUtils.getString(k, "alg"),
                            KeyState.valueOf(JSONObjectUtils.getString(k, "state")),
                            Instant.parse(JSONObjectUtils.getString(k, "createdAt")),
                            instant(JSONObjectUtils.getString(k, "activatedAt")),
                            instant(JSONObjectUtils.getString(k, "retiringAt")),
                            JSONObjectUtils.getString(k, "publicJwk"),
                            JSONObjectUtils.getString(k, "sealedPrivateJwk")));
                }
            }
            return new Snapshot(version, keys);
        } catch (ParseException | RuntimeException e) {
            throw new IOException("key file " + path + " is not a Gatehouse key file: " + e.getMessage());
        }
    }

    private void write(Snapshot snapshot) throws IOException {
        List<Object> keys = new ArrayList<>();
        for (StoredKey k : snapshot.keys()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kid", k.kid());
            m.put("alg", k.algorithm());
            m.put("state", k.state().name());
            m.put("createdAt", k.createdAt().toString());
            if (k.activatedAt() != null) {
                m.put("activatedAt", k.activatedAt().toString());
            }
            if (k.retiringAt() != null) {
                m.put("retiringAt", k.retiringAt().toString());
            }
            m.put("publicJwk", k.publicJwk());
            m.put("sealedPrivateJwk", k.sealedPrivateJwk());
            keys.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "gatehouse-keys/1");
        root.put("version", snapshot.version());
        root.put("keys", keys);
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, JSONObjectUtils.toJSONString(root), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the sealed private keys are still encrypted.
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static @Nullable Instant instant(@Nullable String s) {
        return s == null ? null : Instant.parse(s);
    }

    @Override
    public String toString() {
        return "FileKeyRepository[" + path + "]";
    }
}
