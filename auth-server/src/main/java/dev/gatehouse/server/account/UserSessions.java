package dev.gatehouse.server.account;

import dev.gatehouse.server.logout.BackchannelLogout;
import dev.gatehouse.server.logout.SessionIds;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;

/**
 * A user's browser sessions in the store every node shares (Spring Session JDBC, by its principal-name index), so
 * listing and ending them works whichever node made them. A session is named on the page by a handle, a digest of
 * its id: the id itself is the cookie's value and never leaves the server. A handle is looked up only among the
 * user's own sessions, so another user's handle is as unknown as a made-up one.
 */
final class UserSessions {

    /**
     * One session as the page shows it.
     *
     * @param handle the digest naming it in forms
     * @param createdAt when it began
     * @param lastUsedAt when it was last used
     * @param current whether it is the session of this request
     * @param device a coarse device label noted at sign-in, empty when unknown
     * @param address the client address at sign-in, empty when unknown
     */
    record View(String handle, Instant createdAt, Instant lastUsedAt, boolean current, String device, String address) {

        /** When it began, as the page shows it. */
        public String created() {
            return Times.utc(createdAt);
        }

        /** When it was last used, as the page shows it. */
        public String lastUsed() {
            return Times.utc(lastUsedAt);
        }
    }

    private final FindByIndexNameSessionRepository<? extends Session> repository;
    private final BackchannelLogout backchannel;

    UserSessions(FindByIndexNameSessionRepository<? extends Session> repository, BackchannelLogout backchannel) {
        this.repository = Objects.requireNonNull(repository, "repository must not be null");
        this.backchannel = Objects.requireNonNull(backchannel, "backchannel must not be null");
    }

    /** The user's live sessions, the current one first, then by last use. */
    List<View> of(String username, @Nullable String currentId) {
        List<View> views = new ArrayList<>();
        for (Map.Entry<String, Session> e : live(username).entrySet()) {
            Session s = e.getValue();
            views.add(new View(
                    handle(e.getKey()),
                    s.getCreationTime(),
                    s.getLastAccessedTime(),
                    e.getKey().equals(currentId),
                    text(s.getAttribute(SignInDevice.DEVICE)),
                    Addresses.display(text(s.getAttribute(SignInDevice.ADDRESS)))));
        }
        views.sort(Comparator.comparing(View::current)
                .reversed()
                .thenComparing(View::lastUsedAt, Comparator.reverseOrder()));
        return views;
    }

    /** The id of the user's session named by a handle, if the user has one. */
    Optional<String> find(String username, String handle) {
        byte[] wanted = handle.getBytes(StandardCharsets.UTF_8);
        for (String id : live(username).keySet()) {
            if (MessageDigest.isEqual(handle(id).getBytes(StandardCharsets.UTF_8), wanted)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /**
     * Ends a session of the user on every node: its row is deleted, and its relying parties are sent logout tokens
     * (OIDC Back-Channel Logout 1.0 §2.5; queued).
     */
    void end(String username, String id) {
        Session session = repository.findById(id);
        if (session != null) {
            backchannel.sessionEnded(
                    SessionIds.of(
                            session.getAttribute(SessionIds.SID), session.getAttribute(SessionIds.SID_USER), username),
                    username,
                    BackchannelLogout.ACCOUNT);
        }
        repository.deleteById(id);
    }

    /** Tells the relying parties of the current session, which the caller is about to invalidate, that it ends. */
    void endingCurrent(String username, HttpSession session) {
        backchannel.sessionEnded(SessionIds.of(session, username), username, BackchannelLogout.ACCOUNT);
    }

    /**
     * Ends every session of the user but {@code keepId}; returns how many. The relying parties of every other session
     * the user had (also those whose browser session already expired) are sent logout tokens (queued).
     */
    int endOthers(String username, @Nullable String keepId) {
        @Nullable Session kept = keepId == null ? null : repository.findById(keepId);
        backchannel.userSessionsEnded(
                username,
                kept == null
                        ? null
                        : SessionIds.of(
                                kept.getAttribute(SessionIds.SID), kept.getAttribute(SessionIds.SID_USER), username),
                BackchannelLogout.ACCOUNT);
        int ended = 0;
        for (String id : live(username).keySet()) {
            if (!id.equals(keepId)) {
                repository.deleteById(id);
                ended++;
            }
        }
        return ended;
    }

    private Map<String, Session> live(String username) {
        Map<String, Session> live = new LinkedHashMap<>();
        repository.findByPrincipalName(username).forEach((id, session) -> {
            if (!session.isExpired()) {
                live.put(id, session);
            }
        });
        return live;
    }

    /** A digest of a session id: it names the session in a form without disclosing the cookie value. */
    static String handle(String sessionId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static String text(@Nullable Object value) {
        return value instanceof String s ? s : "";
    }
}
