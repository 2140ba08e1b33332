package dev.gatehouse.server.tokens;

import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.util.Assert;

/**
 * Spring Authorization Server's JDBC authorization store, with shortcuts on the token endpoint's hot paths. Its
 * {@code save} reads the row by id first (rebuilding the whole authorization from its JSON columns, with a client
 * lookup) only to choose between INSERT and UPDATE. Here an UPDATE by id runs first and an INSERT follows when it
 * changed no row (the code exchange and the refresh grant update a row, the authorization endpoint inserts one). A
 * client-credentials authorization whose access token is still valid and which has no code or refresh token is one
 * the client-credentials provider has just created under a fresh random id (revoking it invalidates the token, so
 * later saves take the UPDATE path): it is inserted straight away. Anything unexpected (a BLOB column in an old
 * schema, an INSERT racing another node's) goes through Spring Authorization Server's own {@code save}. Rows, columns
 * and the parameter mapping are Spring Authorization Server's, so reads are unaffected. Repeated authorization
 * request parameters are stored as lists ({@link #withListParameters}). A lookup without a token type asks one indexed
 * column at a time ({@link #findByToken}).
 */
public final class JdbcAuthorizationStore extends JdbcOAuth2AuthorizationService {

    /** The columns, in the order of Spring Authorization Server's parameter mapper (its own INSERT's order). */
    private static final String INSERT = "INSERT INTO oauth2_authorization (id, registered_client_id, principal_name,"
            + " authorization_grant_type, authorized_scopes, attributes, state, authorization_code_value,"
            + " authorization_code_issued_at, authorization_code_expires_at, authorization_code_metadata,"
            + " access_token_value, access_token_issued_at, access_token_expires_at, access_token_metadata,"
            + " access_token_type, access_token_scopes, oidc_id_token_value, oidc_id_token_issued_at,"
            + " oidc_id_token_expires_at, oidc_id_token_metadata, refresh_token_value, refresh_token_issued_at,"
            + " refresh_token_expires_at, refresh_token_metadata, user_code_value, user_code_issued_at,"
            + " user_code_expires_at, user_code_metadata, device_code_value, device_code_issued_at,"
            + " device_code_expires_at, device_code_metadata)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Spring Authorization Server's own UPDATE: every column but the id, in the mapper's order, then the id. */
    private static final String UPDATE = "UPDATE oauth2_authorization SET registered_client_id = ?, principal_name = ?,"
            + " authorization_grant_type = ?, authorized_scopes = ?, attributes = ?, state = ?,"
            + " authorization_code_value = ?, authorization_code_issued_at = ?, authorization_code_expires_at = ?,"
            + " authorization_code_metadata = ?, access_token_value = ?, access_token_issued_at = ?,"
            + " access_token_expires_at = ?, access_token_metadata = ?, access_token_type = ?, access_token_scopes = ?,"
            + " oidc_id_token_value = ?, oidc_id_token_issued_at = ?, oidc_id_token_expires_at = ?,"
            + " oidc_id_token_metadata = ?, refresh_token_value = ?, refresh_token_issued_at = ?,"
            + " refresh_token_expires_at = ?, refresh_token_metadata = ?, user_code_value = ?, user_code_issued_at = ?,"
            + " user_code_expires_at = ?, user_code_metadata = ?, device_code_value = ?, device_code_issued_at = ?,"
            + " device_code_expires_at = ?, device_code_metadata = ? WHERE id = ?";

    private static final int COLUMNS = 33;

    /** The columns an untyped lookup asks, one indexed query each, the likeliest first (introspection, revocation). */
    private static final List<OAuth2TokenType> UNTYPED_ORDER = List.of(
            OAuth2TokenType.ACCESS_TOKEN,
            OAuth2TokenType.REFRESH_TOKEN,
            new OAuth2TokenType(OidcParameterNames.ID_TOKEN),
            new OAuth2TokenType(OAuth2ParameterNames.CODE),
            new OAuth2TokenType(OAuth2ParameterNames.STATE),
            new OAuth2TokenType(OAuth2ParameterNames.USER_CODE),
            new OAuth2TokenType(OAuth2ParameterNames.DEVICE_CODE));

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC operations
     * @param clients the registered clients (to rebuild authorizations on reads)
     */
    public JdbcAuthorizationStore(JdbcOperations jdbc, RegisteredClientRepository clients) {
        super(jdbc, clients);
    }

    /**
     * A lookup without a token type: introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) without
     * {@code token_type_hint}, or with a hint that did not match. Spring Authorization Server answers it with one
     * query OR-ing seven columns, which H2 runs as a scan of the whole table (its indexes serve one column each); here
     * each indexed column is asked in turn, the likeliest first. Token values are unique random strings, so the first
     * row found is the row the OR query finds; an unknown value costs seven index probes instead of one scan.
     */
    @Override
    public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
        if (tokenType != null) {
            return super.findByToken(token, tokenType);
        }
        Assert.hasText(token, "token cannot be empty");
        for (OAuth2TokenType type : UNTYPED_ORDER) {
            OAuth2Authorization found = super.findByToken(token, type);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    @Override
    public void save(OAuth2Authorization given) {
        OAuth2Authorization authorization = withListParameters(given);
        List<SqlParameterValue> parameters = getAuthorizationParametersMapper().apply(authorization);
        if (parameters.size() != COLUMNS || parameters.stream().anyMatch(p -> p.getSqlType() == Types.BLOB)) {
            super.save(authorization);
            return;
        }
        if (freshClientCredentials(authorization) && inserted(parameters)) {
            return;
        }
        // Update first, insert only when no row has this id: the same outcome as reading the row to choose (the
        // read's answer is just as old by the time its UPDATE runs), without reading and rebuilding the whole
        // authorization from its JSON columns on every code exchange and refresh.
        List<SqlParameterValue> update = new ArrayList<>(parameters.subList(1, COLUMNS));
        update.add(parameters.get(0));
        if (getJdbcOperations().update(UPDATE, new ArgumentPreparedStatementSetter(update.toArray())) == 0
                && !inserted(parameters)) {
            super.save(authorization);
        }
    }

    private boolean inserted(List<SqlParameterValue> parameters) {
        try {
            getJdbcOperations().update(INSERT, new ArgumentPreparedStatementSetter(parameters.toArray()));
            return true;
        } catch (DuplicateKeyException exists) {
            return false; // saved meanwhile by another request: updated the usual way
        }
    }

    /**
     * A parameter repeated in an authorization request ({@code resource}, RFC 8707 §2; any other one the authorization
     * endpoint passes on) is kept by Spring Authorization Server as a {@code String[]}, which its JSON mapping writes
     * but refuses to read back (the type is not on its allow-list): the stored authorization could never be read
     * again, and the code exchange failed with a server error. Stored as a list instead, which reads back.
     */
    static OAuth2Authorization withListParameters(OAuth2Authorization authorization) {
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (request == null
                || request.getAdditionalParameters().values().stream().noneMatch(v -> v instanceof String[])) {
            return authorization;
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        request.getAdditionalParameters()
                .forEach((name, value) -> parameters.put(
                        name, value instanceof String[] values ? new ArrayList<>(List.of(values)) : value));
        return OAuth2Authorization.from(authorization)
                .attribute(
                        OAuth2AuthorizationRequest.class.getName(),
                        OAuth2AuthorizationRequest.from(request)
                                .additionalParameters(parameters)
                                .build())
                .build();
    }

    static boolean freshClientCredentials(OAuth2Authorization authorization) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
        return AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())
                && access != null
                && !access.isInvalidated()
                && authorization.getRefreshToken() == null
                && authorization.getToken(
                                org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode.class)
                        == null;
    }
}
