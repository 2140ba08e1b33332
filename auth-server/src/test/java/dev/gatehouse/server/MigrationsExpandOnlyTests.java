package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Migrations are written expand-then-contract, so that nodes of the previous release and of this one run side by side
 * on one database during a rolling upgrade (auth-server/DESIGN.md, "Schema changes and rolling upgrades"): a release
 * only adds (tables, nullable or defaulted columns, indexes, wider types); a column or table is dropped, renamed or
 * narrowed only by a later release, after no released code uses it, and such a migration says so with a line
 * {@code -- contract: <what>, unused since <release>}.
 *
 * <p>Checked from {@link #FIRST_CHECKED} on: V7 and V13 are contract migrations from before rolling upgrades were
 * supported, and V14 to V26 were checked by hand (V24 widens a column, which old nodes accept).
 */
class MigrationsExpandOnlyTests {

    static final int FIRST_CHECKED = 27;

    /** Statements an old node cannot run beside: its SQL names what they remove, or writes what they now refuse. */
    private static final Map<String, Pattern> CONTRACTING = Map.of(
            "drops a table, column, index, constraint, view or sequence",
                    Pattern.compile("\\bDROP\\s+(TABLE|COLUMN|INDEX|CONSTRAINT|VIEW|SEQUENCE)\\b"),
            "renames", Pattern.compile("\\bRENAME\\b"),
            "makes a column NOT NULL", Pattern.compile("\\bSET\\s+NOT\\s+NULL\\b"),
            "changes a column's type", Pattern.compile("\\bALTER\\s+COLUMN\\s+\\S+\\s+(SET\\s+DATA\\s+)?TYPE\\b"),
            "adds a NOT NULL column without a default (old nodes insert rows without it)",
                    Pattern.compile("\\bADD\\s+(COLUMN\\s+)?(?![^,;]*\\bDEFAULT\\b)[^,;]*\\bNOT\\s+NULL\\b"));

    private static final Pattern CONTRACT_NOTE =
            Pattern.compile("^--\\s*contract:\\s*\\S.*,\\s*unused since\\s+\\S+", Pattern.MULTILINE);

    private static final Pattern VERSION = Pattern.compile("^V(\\d+)__.+\\.sql$");

    @Test
    void migrationsWhenAfterTheRollingUpgradeBaselineThenExpandOnlyOrMarkedContract() throws IOException {
        Map<String, List<String>> problems = new TreeMap<>();
        for (Path file : migrations()) {
            Matcher version = VERSION.matcher(file.getFileName().toString());
            if (version.matches() && Integer.parseInt(version.group(1)) >= FIRST_CHECKED) {
                List<String> found = problems(Files.readString(file, StandardCharsets.UTF_8));
                if (!found.isEmpty()) {
                    problems.put(file.toString(), found);
                }
            }
        }
        assertThat(problems)
                .as("contracting migrations without a '-- contract: ..., unused since ...' line")
                .isEmpty();
    }

    @Test
    void problemsWhenMigrationsBeforeTheBaselineThenExactlyTheKnownContractOnesAreFound() throws IOException {
        Map<String, List<String>> found = new TreeMap<>();
        for (Path file : migrations()) {
            Matcher version = VERSION.matcher(file.getFileName().toString());
            if (version.matches() && Integer.parseInt(version.group(1)) < FIRST_CHECKED) {
                List<String> p = problems(Files.readString(file, StandardCharsets.UTF_8));
                if (!p.isEmpty()) {
                    found.put(file.getParent().getFileName() + "/" + file.getFileName(), p);
                }
            }
        }
        // The check would have stopped the two contract migrations of the first releases, and V24's widening.
        assertThat(found).containsOnlyKeys(KNOWN_BEFORE_BASELINE.toArray(String[]::new));
    }

    /** Found by the check in migrations that predate it (see the class comment). */
    private static final List<String> KNOWN_BEFORE_BASELINE = List.of(
            "h2/V7__token_lookup.sql",
            "common/V13__starter_mfa_tables.sql",
            "h2/V24__client_settings_length.sql",
            "postgresql/V24__client_settings_length.sql");

    @Test
    void problemsWhenContractingStatementThenNamedAndWhenMarkedOrExpandingThenNone() {
        assertThat(problems("ALTER TABLE gh_user DROP COLUMN email_old;"))
                .containsExactly("drops a table, column, index," + " constraint, view or sequence");
        assertThat(problems("alter table gh_user rename column a to b;")).containsExactly("renames");
        assertThat(problems("ALTER TABLE t ALTER COLUMN c SET NOT NULL;")).containsExactly("makes a column NOT NULL");
        assertThat(problems("ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(10);"))
                .containsExactly("changes a column's type");
        assertThat(problems("ALTER TABLE t ADD COLUMN c BOOLEAN NOT NULL;"))
                .containsExactly("adds a NOT NULL column without a default (old nodes insert rows without it)");
        // Expanding statements, and words in comments, are fine.
        assertThat(problems("ALTER TABLE t ADD COLUMN c BOOLEAN DEFAULT FALSE NOT NULL;"))
                .isEmpty();
        assertThat(problems("ALTER TABLE t ADD COLUMN c VARCHAR(100);\nCREATE INDEX i ON t (c);"))
                .isEmpty();
        assertThat(problems("CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, c VARCHAR(10) NOT NULL);"))
                .isEmpty();
        assertThat(problems("-- we never DROP TABLE here\n/* nor RENAME */ ALTER TABLE t ADD COLUMN c INT;"))
                .isEmpty();
        // A contract migration says what it removes and since which release nothing uses it.
        assertThat(problems("-- contract: gh_user.email_old, unused since 0.3.0\nALTER TABLE gh_user DROP COLUMN"
                        + " email_old;"))
                .isEmpty();
        assertThat(problems("-- contract: cleanup\nALTER TABLE gh_user DROP COLUMN email_old;"))
                .hasSize(1);
    }

    /** What in {@code sql} an old node could not run beside, unless the file is marked as a contract migration. */
    static List<String> problems(String sql) {
        if (CONTRACT_NOTE.matcher(sql).find()) {
            return List.of();
        }
        String code = sql.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("--[^\\n]*", " ")
                .replaceAll("'(?:[^']|'')*'", "''")
                .toUpperCase(Locale.ROOT);
        List<String> found = new ArrayList<>();
        CONTRACTING.forEach((what, pattern) -> {
            if (pattern.matcher(code).find()) {
                found.add(what);
            }
        });
        return found;
    }

    private static List<Path> migrations() throws IOException {
        Path root = Path.of("src/main/resources/db/migration");
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all =
                    files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
            assertThat(all).as("migrations under " + root.toAbsolutePath()).hasSizeGreaterThan(20);
            return all;
        }
    }
}
