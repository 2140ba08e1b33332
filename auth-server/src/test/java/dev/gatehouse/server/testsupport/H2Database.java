package dev.gatehouse.server.testsupport;

import dev.gatehouse.server.Migrations;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A fresh in-memory H2 database, migrated by the server's own Flyway scripts ({@link Migrations}): the real schema for
 * unit tests of classes that read and write it, without a Spring context.
 */
public final class H2Database {

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    private H2Database(DataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /**
     * Creates and migrates a database.
     *
     * @param name part of its name, naming the test
     * @return the database
     */
    public static H2Database migrated(String name) {
        JdbcDataSource dataSource = new JdbcDataSource();
        // In memory, kept open until the JVM ends (DB_CLOSE_DELAY=-1) so every connection sees the same database; a
        // unique name keeps tests apart.
        dataSource.setURL("jdbc:h2:mem:gatehouse-" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations("h2"))
                .load()
                .migrate();
        return new H2Database(dataSource);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    public TransactionTemplate tx() {
        return tx;
    }
}
