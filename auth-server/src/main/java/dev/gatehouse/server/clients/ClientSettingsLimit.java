package dev.gatehouse.server.clients;

import java.util.List;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The length the {@code client_settings} and {@code token_settings} columns hold (V24), checked on the serialized JSON
 * before each save, so that a client whose settings would not fit is refused with a clear error (RFC 7591 §3.2.2
 * {@code invalid_client_metadata}; the admin API's 400 {@code admin.client.settings_too_large}) and not with a
 * database error. The check runs before the statement: nothing is stored.
 */
public final class ClientSettingsLimit {

    /** The declared length of both columns (V24), in characters. */
    public static final int MAX_CHARS = 65535;

    /** Positions of client_settings and token_settings in Spring Authorization Server's parameter list. */
    private static final int CLIENT_SETTINGS = 11;

    private static final int TOKEN_SETTINGS = 12;

    private ClientSettingsLimit() {}

    /**
     * A JDBC client repository whose saves check the limit.
     *
     * @param jdbc the template
     * @return the repository
     */
    static JdbcRegisteredClientRepository repository(JdbcTemplate jdbc) {
        JdbcRegisteredClientRepository repository = new JdbcRegisteredClientRepository(jdbc);
        repository.setRegisteredClientParametersMapper(
                checked(new JdbcRegisteredClientRepository.JsonMapperRegisteredClientParametersMapper()));
        return repository;
    }

    static Function<RegisteredClient, List<SqlParameterValue>> checked(
            Function<RegisteredClient, List<SqlParameterValue>> mapper) {
        return client -> {
            List<SqlParameterValue> values = mapper.apply(client);
            for (int i : new int[] {CLIENT_SETTINGS, TOKEN_SETTINGS}) {
                if (values.get(i).getValue() instanceof String json && json.length() > MAX_CHARS) {
                    throw new TooLarge();
                }
            }
            return values;
        };
    }

    /** The client's settings would not fit: {@code invalid_client_metadata} (RFC 7591 §3.2.2). */
    public static final class TooLarge extends OAuth2AuthenticationException {

        private static final long serialVersionUID = 1L;

        /** The one message, naming no value. */
        public static final String DESCRIPTION = "The client's metadata is too large to store (keys, URIs and resources"
                + " together must stay under " + MAX_CHARS + " characters).";

        TooLarge() {
            super(new OAuth2Error("invalid_client_metadata", DESCRIPTION, null), DESCRIPTION);
        }
    }
}
