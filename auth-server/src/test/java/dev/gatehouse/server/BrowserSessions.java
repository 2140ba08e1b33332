package dev.gatehouse.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * The browser sessions a test server keeps, read where every node keeps them: Spring Session's {@code SPRING_SESSION}
 * table. The session cookie ({@code JSESSIONID}) carries the session id Base64-encoded (Spring Session's cookie
 * serializer).
 */
final class BrowserSessions {

    static final String COOKIE = "JSESSIONID";

    private final JdbcTemplate jdbc;

    BrowserSessions(JdbcTemplate jdbc) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
    }

    /** The session cookie's value a response sets, or {@code null} when it sets none. */
    static @Nullable String cookie(HttpResponse<String> response) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(COOKIE + "="))
                .map(c -> c.substring(COOKIE.length() + 1, c.indexOf(';')))
                .findFirst()
                .orElse(null);
    }

    /** The session id a response's cookie names; fails when the response sets no session cookie. */
    static String sessionId(HttpResponse<String> response) {
        String cookie = cookie(response);
        if (cookie == null) {
            throw new AssertionError("no session cookie: " + response.headers());
        }
        return idOf(cookie);
    }

    /** The session id in a cookie value. */
    static String idOf(String cookie) {
        return new String(Base64.getDecoder().decode(cookie), StandardCharsets.UTF_8);
    }

    /** The session's row: its lifetime, owner and times; empty when there is no such session. */
    Optional<Map<String, Object>> row(String sessionId) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT PRIMARY_ID, MAX_INACTIVE_INTERVAL, PRINCIPAL_NAME, CREATION_TIME FROM SPRING_SESSION"
                        + " WHERE SESSION_ID = ?",
                sessionId);
        return rows.stream().findFirst();
    }

    /** The session's lifetime without activity, in seconds. */
    int maxInactiveSeconds(String sessionId) {
        return ((Number) row(sessionId)
                        .orElseThrow(() -> new AssertionError("no session " + sessionId))
                        .get("MAX_INACTIVE_INTERVAL"))
                .intValue();
    }

    boolean exists(String sessionId) {
        return row(sessionId).isPresent();
    }

    /** All sessions, signed in or not. */
    int count() {
        return Objects.requireNonNull(jdbc.queryForObject("SELECT COUNT(*) FROM SPRING_SESSION", Integer.class));
    }

    /** Sessions nobody has signed in with. */
    int anonymous() {
        return Objects.requireNonNull(
                jdbc.queryForObject("SELECT COUNT(*) FROM SPRING_SESSION WHERE PRINCIPAL_NAME IS NULL", Integer.class));
    }

    /** Every attribute value of every session, as stored (Java-serialized), by session and attribute name. */
    Map<String, byte[]> attributes() {
        Map<String, byte[]> all = new TreeMap<>();
        jdbc.query("SELECT SESSION_PRIMARY_ID, ATTRIBUTE_NAME, ATTRIBUTE_BYTES FROM SPRING_SESSION_ATTRIBUTES", rs -> {
            all.put(rs.getString(1).strip() + " " + rs.getString(2), rs.getBytes(3));
        });
        return all;
    }

    /** One session's attributes, as stored (Java-serialized), by name; empty when there is no such session. */
    Map<String, byte[]> attributesOf(String sessionId) {
        Map<String, byte[]> attributes = new TreeMap<>();
        jdbc.query(
                "SELECT a.ATTRIBUTE_NAME, a.ATTRIBUTE_BYTES FROM SPRING_SESSION_ATTRIBUTES a"
                        + " JOIN SPRING_SESSION s ON s.PRIMARY_ID = a.SESSION_PRIMARY_ID WHERE s.SESSION_ID = ?",
                rs -> {
                    attributes.put(rs.getString(1), rs.getBytes(2));
                },
                sessionId);
        return attributes;
    }

    /** A stored attribute value, deserialized as Spring Session does (Java serialization). */
    static Object deserialize(byte[] stored) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stored))) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError("a session attribute does not deserialize", e);
        }
    }

    /**
     * Whether a stored value holds a text anywhere: as Java serialization writes a {@code String} (UTF-8) or a
     * {@code char[]} (UTF-16).
     */
    static boolean holds(byte[] stored, String text) {
        return indexOf(stored, text.getBytes(StandardCharsets.UTF_8)) >= 0
                || indexOf(stored, text.getBytes(StandardCharsets.UTF_16BE)) >= 0;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * A session as a concurrent request holds it: loaded from the shared store before another request changed it, and
     * saved back after, as Spring Session's filter does at the end of every request that used the session.
     */
    static final class StaleCopy<S extends Session> {

        private final SessionRepository<S> repository;
        private final S session;

        private StaleCopy(SessionRepository<S> repository, S session) {
            this.repository = repository;
            this.session = session;
        }

        /** Loads the session a request with this id would get; fails when there is none. */
        static <S extends Session> StaleCopy<S> load(SessionRepository<S> repository, String sessionId) {
            S session = repository.findById(sessionId);
            if (session == null) {
                throw new AssertionError("no session " + sessionId);
            }
            return new StaleCopy<>(repository, session);
        }

        /** Marks the copy used at this instant (Spring Session's filter does so on every load). */
        StaleCopy<S> touch(java.time.Instant at) {
            session.setLastAccessedTime(at);
            return this;
        }

        /** Sets an attribute on the copy (one it did not have is added, one it had is changed). */
        StaleCopy<S> add(String name, String value) {
            session.setAttribute(name, value);
            return this;
        }

        /** Saves the copy, as the end of the concurrent request would. */
        void save() {
            repository.save(session);
        }
    }
}
