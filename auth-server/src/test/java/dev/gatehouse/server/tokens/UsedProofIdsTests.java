package dev.gatehouse.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.testsupport.H2Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

class UsedProofIdsTests {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private final JdbcTemplate jdbc = H2Database.migrated("used-proof-ids").jdbc();
    private final UsedProofIds used = new UsedProofIds(jdbc, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void claimWhenFirstThenFirstAndWhenAgainThenReplayed() {
        assertThat(used.claim("jti-1", NOW)).isInstanceOf(UsedProofIds.Claim.First.class);
        assertThat(used.claim("jti-1", NOW)).isInstanceOf(UsedProofIds.Claim.Replayed.class);
        assertThat(used.claim("jti-1", NOW.minusSeconds(30))).isInstanceOf(UsedProofIds.Claim.Replayed.class);
        assertThat(used.claim("jti-2", NOW)).isInstanceOf(UsedProofIds.Claim.First.class);
    }

    @Test
    void claimWhenStoredThenOnlySha256OfJtiNeverTheValue() {
        String jti = "a-jti-the-database-must-not-hold";
        used.claim(jti, NOW);

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT jti_hash FROM gh_used_jti");
        assertThat(rows).hasSize(1);
        String key = ((String) rows.get(0).get("jti_hash")).strip();
        // SHA-256("dpop\0a-jti-the-database-must-not-hold"), base64url without padding
        assertThat(key)
                .hasSize(43)
                .isEqualTo(UsedProofIds.hash(UsedProofIds.dpopKey(jti)))
                .doesNotContain(jti);
        assertThat(UsedProofIds.hash("abc")).isEqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    }

    @Test
    void claimWhenIssuedInThePastOrWithoutIatThenKeptUntilNowPlusWindowAndMargin() {
        used.claim("past", NOW.minusSeconds(59));
        used.claim("no-iat", null);

        assertThat(expiresAt("past")).isEqualTo(NOW.plus(Duration.ofSeconds(65)));
        assertThat(expiresAt("no-iat")).isEqualTo(NOW.plus(Duration.ofSeconds(65)));
    }

    @Test
    void claimWhenIssuedInTheFutureThenKeptUntilIatPlusWindowAndMargin() {
        // Spring accepts iat up to 60 s ahead: such a proof stays acceptable until iat + 60 s.
        used.claim("future", NOW.plusSeconds(60));

        assertThat(expiresAt("future")).isEqualTo(NOW.plus(Duration.ofSeconds(125)));
    }

    @Test
    void purgeExpiredWhenCutoffPassedThenOnlyExpiredRowsDeletedAndJtiUsableAgain() {
        used.claim("old", NOW.minusSeconds(60));
        used.claim("new", NOW.plusSeconds(30));

        assertThat(used.purgeExpired(NOW.plusSeconds(66))).isEqualTo(1);

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gh_used_jti", Integer.class))
                .isEqualTo(1);
        assertThat(used.claim("new", NOW)).isInstanceOf(UsedProofIds.Claim.Replayed.class);
        // By then Spring refuses the old proof for its iat; its row is no longer needed.
        assertThat(used.claim("old", NOW)).isInstanceOf(UsedProofIds.Claim.First.class);
    }

    private Instant expiresAt(String jti) {
        return jdbc.queryForObject(
                        "SELECT expires_at FROM gh_used_jti WHERE jti_hash = ?",
                        Timestamp.class,
                        UsedProofIds.hash(UsedProofIds.dpopKey(jti)))
                .toInstant();
    }

    @Test
    void claimWhenDpopJtiSpellsAnotherKindsKeyThenThatKeyStillFirst() {
        String assertionKey = "client-assertion\u0000c1\u0000j1";
        assertThat(used.claim(assertionKey, NOW)).isInstanceOf(UsedProofIds.Claim.First.class);
        assertThat(used.claimUntil(assertionKey, NOW.plusSeconds(60))).isInstanceOf(UsedProofIds.Claim.First.class);
    }
}
