package dev.gatehouse.server.passkeys;

import dev.gatehouse.server.testsupport.H2Database;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@link JdbcPasskeyStore} on H2. */
class H2PasskeyStoreTests extends AbstractPasskeyStoreTests {

    @Override
    JdbcTemplate database() {
        return H2Database.migrated("passkey-store").jdbc();
    }
}
