package dev.gatehouse.server.mfa;

import dev.gatehouse.core.crypto.Envelope;
import dev.gatehouse.core.mfa.RecoveryCodes;
import dev.gatehouse.core.mfa.TotpService;
import dev.gatehouse.server.passkeys.Passkeys;
import dev.gatehouse.server.secrets.ServerSecrets;
import dev.gatehouse.server.users.JdbcUserStore;
import dev.gatehouse.spring.jdbc.JdbcRecoveryCodeStore;
import dev.gatehouse.spring.jdbc.JdbcTotpFactorStore;
import java.security.SecureRandom;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The mfa package wires itself. Multi-factor sign-in: auth-core's TOTP service and recovery codes over the starter's
 * JDBC stores, and the factor policy. The sign-in steps that use them (the TOTP and recovery-code pages, step-up) are in
 * {@code signin}.
 */
@Configuration(proxyBeanMethods = false)
class MfaConfiguration {

    /** Name of the recovery-code hash key in {@code gh_server_secret}. */
    static final String RECOVERY_CODE_HMAC_KEY = "recovery-code-hmac-sha256";

    /** The issuer shown in authenticator apps. */
    static final String TOTP_ISSUER = "Gatehouse";

    @Bean
    TotpService totpService(JdbcTemplate jdbc, Envelope envelope, Clock clock, SecureRandom random) {
        return TotpService.builder()
                .issuer(TOTP_ISSUER)
                .envelope(envelope)
                .store(new JdbcTotpFactorStore(jdbc))
                .clock(clock)
                .secureRandom(random)
                .build();
    }

    @Bean
    RecoveryCodes recoveryCodes(JdbcTemplate jdbc, TransactionTemplate tx, ServerSecrets secrets, SecureRandom random) {
        return RecoveryCodes.builder()
                .hashKey(secrets.getOrCreate(RECOVERY_CODE_HMAC_KEY, 32))
                .store(new JdbcRecoveryCodeStore(jdbc, tx))
                .secureRandom(random)
                .build();
    }

    /** Replacing an authenticator app: new keys wait in their own table until a code of the new app confirms them. */
    @Bean
    TotpReplacement totpReplacement(
            TotpService totp,
            JdbcTemplate jdbc,
            Envelope envelope,
            Clock clock,
            SecureRandom random,
            TransactionTemplate tx) {
        JdbcTotpReplacementStore replacements = new JdbcTotpReplacementStore(jdbc);
        TotpService replacementService = TotpService.builder()
                .issuer(TOTP_ISSUER)
                .envelope(envelope)
                .store(replacements)
                .clock(clock)
                .secureRandom(random)
                .build();
        return new TotpReplacement(totp, new JdbcTotpFactorStore(jdbc), replacementService, replacements, tx);
    }

    /**
     * The factor policy. A user's stored passkeys are read through the passkeys package's API (defined also when
     * passkeys are switched off), so a user whose only second factor is a passkey still owes a second factor then:
     * switching passkeys off never leaves such a user with the password alone (fails closed); the sign-in sends them
     * to the recovery-code step instead of the passkey step. A phishing-resistant requirement cannot be met while
     * passkeys are off (it fails closed too).
     */
    @Bean
    MfaPolicy mfaPolicy(
            TotpService totp,
            RegisteredClientRepository clients,
            JdbcUserStore users,
            Passkeys passkeys,
            @Value("${gatehouse.server.passkeys.enabled:true}") boolean passkeysEnabled) {
        // Both operator flags of a user in one query: the refresh grant asks on every request.
        return new MfaPolicy(
                totp,
                clients,
                passkeys::hasAny,
                username -> {
                    JdbcUserStore.FactorRequirements flags = users.factorRequirements(username);
                    return new MfaPolicy.UserRequirements(flags.mfaRequired(), flags.passkeyRequired());
                },
                passkeysEnabled);
    }
}
