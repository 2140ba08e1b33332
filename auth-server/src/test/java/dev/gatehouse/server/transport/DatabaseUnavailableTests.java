package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import jakarta.servlet.ServletException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

class DatabaseUnavailableTests {

    @Test
    void causesWhenPoolHandsOutNoConnectionThenTrueThroughWrappers() {
        SQLTransientConnectionException pool = new SQLTransientConnectionException("pool timed out");
        assertThat(DatabaseUnavailable.causes(new CannotGetJdbcConnectionException("no connection", pool)))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new ServletException(new InternalAuthenticationServiceException(
                        "failed", new CannotCreateTransactionException("no transaction", pool)))))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new QueryTimeoutException("socket timeout")))
                .isTrue();
    }

    @Test
    void causesWhenSqlStateSaysConnectionOrShutdownThenTrue() {
        // pgjdbc: 08001 cannot connect, 57P01 the server is shutting down, 53300 too many connections.
        assertThat(DatabaseUnavailable.causes(new SQLException("refused", "08001")))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new IllegalStateException(new SQLException("terminating", "57P01"))))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new SQLException("too many", "53300")))
                .isTrue();
    }

    @Test
    void causesWhenRollbackFailedAfterTheStatementThenTheStatementsFailureDecides() {
        // Spring Session's session read on a connection the database dropped: the statement fails (08006), the pool
        // closes the connection, and the rollback's own failure (no SQLState) replaces the statement's.
        TransactionSystemException rollback =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        rollback.initApplicationException(new DataAccessResourceFailureException(
                "I/O error", new SQLException("An I/O error occurred while sending to the backend", "08006")));
        assertThat(DatabaseUnavailable.causes(new ServletException(rollback))).isTrue();
        TransactionSystemException afterBug =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        afterBug.initApplicationException(new IllegalStateException("bug"));
        assertThat(DatabaseUnavailable.causes(afterBug)).isFalse();
    }

    @Test
    void causesWhenBugOrConflictThenFalse() {
        assertThat(DatabaseUnavailable.causes(null)).isFalse();
        assertThat(DatabaseUnavailable.causes(new IllegalStateException("bug"))).isFalse();
        assertThat(DatabaseUnavailable.causes(new DataIntegrityViolationException("duplicate")))
                .isFalse();
        assertThat(DatabaseUnavailable.causes(
                        new BadSqlGrammarException("select", "SELECT", new SQLException("syntax", "42601"))))
                .isFalse();
        // lock_not_available is the attempt store's own bounded wait, not an outage.
        assertThat(DatabaseUnavailable.causes(new SQLException("lock", "55P03")))
                .isFalse();
    }

    @Test
    void causesWhenCauseChainLoopsThenEnds() {
        LoopingException a = new LoopingException();
        LoopingException b = new LoopingException();
        a.next = b;
        b.next = a;
        assertThat(DatabaseUnavailable.causes(a)).isFalse();
    }

    @Test
    void failureOfWhenWrappedInAuthenticationExceptionThenWrapsOnlyTheDatabaseFailure() {
        CannotGetJdbcConnectionException db = new CannotGetJdbcConnectionException("no connection");
        DatabaseUnavailable.Failure failure =
                DatabaseUnavailable.Failure.of(new InternalAuthenticationServiceException("failed", db));
        assertThat(failure.getCause()).isSameAs(db);
        assertThat(failure.getMessage()).isEqualTo("database unavailable");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> DatabaseUnavailable.Failure.of(new IllegalStateException()));
    }

    private static final class LoopingException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private transient Throwable next;

        @Override
        public synchronized Throwable getCause() {
            return next;
        }
    }
}
