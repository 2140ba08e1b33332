package dev.gatehouse.server.transport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Browser sessions (Spring Session's tables, which this package owns) for tools that work on a database outside a
 * running server, such as the restore of a backup.
 */
public final class BrowserSessions {

    private BrowserSessions() {}

    /**
     * Deletes every browser session; their attributes go with them ({@code ON DELETE CASCADE}, migration V14).
     *
     * @param connection a connection to a Gatehouse database
     * @return how many sessions were deleted
     * @throws SQLException if the delete fails
     */
    public static int deleteAll(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            return sql.executeUpdate("DELETE FROM SPRING_SESSION");
        }
    }
}
