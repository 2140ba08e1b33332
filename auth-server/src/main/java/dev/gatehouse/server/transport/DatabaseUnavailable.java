package dev.gatehouse.server.transport;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a failure caused by the database being unreachable or overloaded (answered {@code 503} with {@code
 * Retry-After}: the same request will work once the database is back) from every other failure (answered {@code 500}:
 * retrying does not help, and a bug must stay visible).
 *
 * <p>The set, searched along the cause chain so that wrappers (Spring Security's {@code
 * InternalAuthenticationServiceException}, {@code CannotCreateTransactionException}, Bucket4j's, a {@code
 * ServletException}) do not hide it, and into a {@link TransactionSystemException}'s application exception (a
 * rollback that failed on the connection the failure broke, as when Spring Session loads a session in a transaction,
 * replaces the failure with its own):
 *
 * <ul>
 *   <li>Spring's {@link DataAccessResourceFailureException} (its {@code CannotGetJdbcConnectionException}: the pool
 *       handed out no connection within {@code spring.datasource.hikari.connection-timeout}; or a connection lost
 *       mid-statement), {@link TransientDataAccessResourceException} and {@link QueryTimeoutException} (pgjdbc's
 *       {@code socketTimeout} or a statement timeout);
 *   <li>the JDBC types the pool and drivers throw where no Spring translation runs: {@link
 *       SQLTransientConnectionException} (Hikari's "connection is not available"), {@link
 *       SQLNonTransientConnectionException}, {@link SQLRecoverableException}, {@link SQLTimeoutException};
 *   <li>an {@link SQLException} whose SQLState class is {@code 08} (connection exception), {@code 53} (insufficient
 *       resources, e.g. too many connections), {@code 57} (operator intervention, e.g. {@code 57P01} when the server
 *       is shut down) or {@code 58} (system error): pgjdbc reports these as plain {@code PSQLException}s.
 * </ul>
 *
 * <p>Not in the set: integrity violations, bad SQL, serialisation failures and the like, which a retry after a few
 * seconds would not fix or which the code handles itself.
 */
public final class DatabaseUnavailable {

    /**
     * {@code Retry-After} in seconds (RFC 9110 §10.2.3) on every answer to a database outage: long enough that
     * clients do not hammer a recovering database, short against a restart or fail-over.
     */
    public static final int RETRY_AFTER_SECONDS = 5;

    private static final int MAX_DEPTH = 32;

    private DatabaseUnavailable() {}

    /**
     * Whether {@code failure}, or anything in its cause chain, says the database is unavailable.
     *
     * @param failure the failure, may be {@code null}
     * @return {@code true} if the request may succeed once the database is back
     */
    public static boolean causes(@Nullable Throwable failure) {
        return find(failure) != null;
    }

    /**
     * The first throwable in {@code failure}'s cause chain that says the database is unavailable.
     *
     * @param failure the failure, may be {@code null}
     * @return that throwable, or {@code null} if there is none
     */
    public static @Nullable Throwable find(@Nullable Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> next = new ArrayDeque<>();
        if (failure != null) {
            next.add(failure);
        }
        while (!next.isEmpty() && seen.size() < MAX_DEPTH) {
            Throwable t = next.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t.getCause() != null) {
                next.add(t.getCause());
            }
            if (t instanceof TransactionSystemException tx && tx.getApplicationException() != null) {
                // A rollback that failed after the statement did (the pool had already closed the broken
                // connection: Hikari's "Connection is closed" has no SQLState) hides the statement's failure here.
                next.add(tx.getApplicationException());
            }
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof QueryTimeoutException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException
                    || t instanceof SQLTimeoutException) {
                return t;
            }
            if (t instanceof SQLException sql && unavailableState(sql.getSQLState())) {
                return t;
            }
        }
        return null;
    }

    /**
     * Carries a database failure out of a handler that would otherwise answer it itself (Spring Authorization
     * Server's UserInfo failure handler), so that {@link DatabaseOutageFilter} answers it with {@code 503}. Its message
     * is fixed; the cause is kept for the chain search, never shown.
     */
    public static final class Failure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private Failure(Throwable cause) {
            super("database unavailable", cause);
        }

        /**
         * The database failure in {@code failure}'s cause chain, wrapped on its own: not the exceptions around it,
         * since an {@code AuthenticationException} in the chain would make Spring Security answer {@code 401}.
         *
         * @param failure a failure for which {@link #causes} is {@code true}
         * @return the exception to throw
         * @throws IllegalArgumentException if there is no database failure in the chain
         */
        public static Failure of(Throwable failure) {
            Throwable cause = find(failure);
            if (cause == null) {
                throw new IllegalArgumentException("failure must be caused by the database being unavailable");
            }
            return new Failure(cause);
        }
    }

    private static boolean unavailableState(@Nullable String state) {
        if (state == null || state.length() < 2) {
            return false;
        }
        return switch (state.substring(0, 2).toUpperCase(Locale.ROOT)) {
            case "08", "53", "57", "58" -> true;
            default -> false;
        };
    }
}
