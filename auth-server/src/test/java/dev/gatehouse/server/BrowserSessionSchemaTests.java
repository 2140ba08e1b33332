package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Migration V14 creates Spring Session's tables as Spring Session's own script for the database would
 * ({@code org/springframework/session/jdbc/schema-{vendor}.sql} in the spring-session-jdbc jar on the classpath): same
 * columns (type, size, nullability), keys, indexes and cascade, compared through JDBC metadata, not as text. If a
 * Spring Session upgrade changes its schema, this fails and a new migration follows it.
 */
class BrowserSessionSchemaTests {

    private static final String[] TABLES = {"SPRING_SESSION", "SPRING_SESSION_ATTRIBUTES"};

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migrateWhenV14AppliedThenSessionTablesMatchSpringSessionsScript(String vendor) throws Exception {
        DataSource migrated = database(vendor, "migrated");
        Flyway.configure()
                .dataSource(migrated)
                .locations(Migrations.locations(vendor))
                .load()
                .migrate();
        DataSource scripted = database(vendor, "scripted");
        new ResourceDatabasePopulator(
                        new ClassPathResource("org/springframework/session/jdbc/schema-" + vendor + ".sql"))
                .execute(scripted);

        for (String table : TABLES) {
            assertThat(describe(migrated, table)).as(vendor + " " + table).isEqualTo(describe(scripted, table));
            assertThat(describe(migrated, table).get("columns")).as(table).isNotEmpty();
        }
    }

    private static DataSource database(String vendor, String label) {
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:" + label + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }
        PostgresTestDatabase database = PostgresTestDatabase.create("sessionschema");
        return new DriverManagerDataSource(database.jdbcUrl(), "postgres", "");
    }

    /** Columns, primary key, indexes and foreign keys of one table, as comparable text. */
    private static Map<String, TreeSet<String>> describe(DataSource dataSource, String table) throws SQLException {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            String name = meta.storesLowerCaseIdentifiers() ? table.toLowerCase(Locale.ROOT) : table;
            TreeSet<String> columns = new TreeSet<>();
            try (ResultSet rs = meta.getColumns(null, null, name, null)) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + "("
                            + rs.getInt("COLUMN_SIZE") + ") nullable=" + rs.getString("IS_NULLABLE") + " position="
                            + rs.getInt("ORDINAL_POSITION"));
                }
            }
            out.put("columns", columns);
            TreeSet<String> key = new TreeSet<>();
            try (ResultSet rs = meta.getPrimaryKeys(null, null, name)) {
                while (rs.next()) {
                    key.add(rs.getString("PK_NAME") + " " + rs.getString("COLUMN_NAME") + " " + rs.getInt("KEY_SEQ"));
                }
            }
            out.put("primaryKey", key);
            TreeSet<String> indexes = new TreeSet<>();
            try (ResultSet rs = meta.getIndexInfo(null, null, name, false, false)) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME") == null) {
                        continue;
                    }
                    // H2 names the primary key's own index with a generated suffix; the key's name is compared above.
                    String index = rs.getString("INDEX_NAME").replaceFirst("^PRIMARY_KEY_[0-9A-F]+$", "PRIMARY_KEY");
                    indexes.add(index + " unique=" + !rs.getBoolean("NON_UNIQUE") + " " + rs.getString("COLUMN_NAME")
                            + " " + rs.getInt("ORDINAL_POSITION"));
                }
            }
            out.put("indexes", indexes);
            TreeSet<String> foreignKeys = new TreeSet<>();
            try (ResultSet rs = meta.getImportedKeys(null, null, name)) {
                while (rs.next()) {
                    foreignKeys.add(rs.getString("FK_NAME") + " " + rs.getString("FKCOLUMN_NAME") + " -> "
                            + rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + " onDelete="
                            + rs.getInt("DELETE_RULE"));
                }
            }
            out.put("foreignKeys", foreignKeys);
        }
        return out;
    }
}
