package dev.gatehouse.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Migrations;
import dev.gatehouse.server.PostgresTestDatabase;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The cap's one statement on both databases it runs on, against tables migrated as the server migrates them: the
 * oldest anonymous sessions beyond the cap go with their attributes, signed-in ones stay whatever their age, and a
 * second run (another node's) deletes nothing more. The end-to-end behaviour is {@code
 * dev.gatehouse.server.AnonymousSessionCapTests}.
 */
class AnonymousSessionCapTests {

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void enforceWhenMoreAnonymousSessionsThanTheCapThenOldestDeletedSignedInKeptAndRepeatHarmless(String vendor) {
        JdbcTemplate jdbc = new JdbcTemplate(database(vendor));
        // Oldest first; the signed-in ones are older than every anonymous one.
        session(jdbc, "signed-in-1", 1, "alice");
        session(jdbc, "signed-in-2", 2, "bob");
        for (int i = 0; i < 5; i++) {
            session(jdbc, "anonymous-" + i, 10 + i, null);
        }
        AnonymousSessionCap cap = new AnonymousSessionCap(jdbc, 2);

        assertThat(cap.enforce()).isEqualTo(3);
        assertThat(cap.enforce()).isZero();

        assertThat(
                        jdbc
                                .queryForList(
                                        "SELECT SESSION_ID FROM SPRING_SESSION ORDER BY CREATION_TIME", String.class)
                                .stream()
                                .map(String::strip)
                                .toList())
                .isEqualTo(List.of("signed-in-1", "signed-in-2", "anonymous-3", "anonymous-4"));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM SPRING_SESSION_ATTRIBUTES", Integer.class))
                .isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void constructorWhenCapBelowOneThenRefused(int cap) {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new AnonymousSessionCap(new JdbcTemplate(), cap));
    }

    private static void session(JdbcTemplate jdbc, String id, long created, @Nullable String principal) {
        String primary = UUID.randomUUID().toString();
        jdbc.update(
                "INSERT INTO SPRING_SESSION (PRIMARY_ID, SESSION_ID, CREATION_TIME, LAST_ACCESS_TIME,"
                        + " MAX_INACTIVE_INTERVAL, EXPIRY_TIME, PRINCIPAL_NAME) VALUES (?, ?, ?, ?, 300, ?, ?)",
                primary,
                id,
                created,
                created,
                Long.MAX_VALUE,
                principal);
        jdbc.update(
                "INSERT INTO SPRING_SESSION_ATTRIBUTES (SESSION_PRIMARY_ID, ATTRIBUTE_NAME, ATTRIBUTE_BYTES)"
                        + " VALUES (?, 'a', ?)",
                primary,
                new byte[] {1});
    }

    private static DataSource database(String vendor) {
        DataSource dataSource;
        if (vendor.equals("h2")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:cap-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            dataSource = h2;
        } else {
            dataSource = new DriverManagerDataSource(
                    PostgresTestDatabase.create("sessioncap").jdbcUrl(), "postgres", "");
        }
        Flyway.configure()
                .dataSource(dataSource)
                .locations(Migrations.locations(vendor))
                .load()
                .migrate();
        return dataSource;
    }
}
