package dev.gatehouse.core.jwt;

import java.lang.reflect.InvocationTargetException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An optional native JCA provider for RSA and ECDSA signatures: the Amazon Corretto Crypto Provider (ACCP, on
 * AWS-LC, the FIPS-validated BoringSSL fork), when it is on the class path and passes its own health checks.
 * It signs RS256 about 2.8x and verifies about 2x faster than the JDK on this project's machines, with the same
 * bytes out (RSASSA-PKCS1-v1_5 is deterministic; {@code NativeCryptoTests} checks it against the JDK).
 *
 * <p>Nothing depends on it: without the jar, on a platform it has no native library for, or when the
 * {@value #PROPERTY} system property is {@code false}, every signature goes through the JDK's providers as
 * before. The decision is made once per class loader and logged once. Only the provider object is handed out;
 * Gatehouse never installs it globally, so TLS and everything else in the JVM keep their providers.
 *
 * <p>Not API: only {@link ManagedKey}'s signers and verifiers use it; the switch is the system property.
 */
final class NativeCrypto {

    /** System property that turns the native provider off when set to {@code false}. */
    static final String PROPERTY = "gatehouse.crypto.native";

    static final String ACCP_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

    private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);

    private static final Optional<Provider> PROVIDER = load(System.getProperty(PROPERTY), ACCP_CLASS);

    private NativeCrypto() {}

    /**
     * The native provider, if one is usable here.
     *
     * @return the provider, or empty to use the JDK's
     */
    static Optional<Provider> provider() {
        return PROVIDER;
    }

    /**
     * The key as the native provider's own key object, so that each signature does not convert the JDK key again
     * (ACCP re-encodes and re-parses a foreign key on every {@code initSign}/{@code initVerify}; converting once
     * took a fifth of its signing time). Without a native provider, or if conversion fails, the key itself.
     *
     * @param key an RSA or EC key
     * @param <K> the key type
     * @return the converted key (same interfaces: {@code RSAPrivateCrtKey}, {@code ECPrivateKey}, ...) or {@code key}
     */
    @SuppressWarnings("unchecked")
    static <K extends Key> K nativeKey(K key) {
        Optional<Provider> provider = PROVIDER;
        if (provider.isEmpty()) {
            return key;
        }
        try {
            Key translated =
                    KeyFactory.getInstance(key.getAlgorithm(), provider.get()).translateKey(key);
            boolean sameKind =
                    key instanceof PrivateKey ? translated instanceof PrivateKey : translated instanceof PublicKey;
            for (Class<?> api : key.getClass().getInterfaces()) {
                if (api.getName().startsWith("java.security.interfaces.") && !api.isInstance(translated)) {
                    sameKind = false;
                }
            }
            return sameKind ? (K) translated : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    /** Loads and health-checks the provider; never throws (a broken native library means "use the JDK"). */
    static Optional<Provider> load(@Nullable String setting, String className) {
        if ("false".equalsIgnoreCase(setting)) {
            log.info("native crypto provider disabled by -D{}=false; using the JDK's providers", PROPERTY);
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(className, true, NativeCrypto.class.getClassLoader());
            Provider provider = (Provider) type.getField("INSTANCE").get(null);
            Object loadingError = type.getMethod("getLoadingError").invoke(provider);
            if (loadingError != null) {
                log.info("native crypto provider {} cannot load here ({}); using the JDK's", className, loadingError);
                return Optional.empty();
            }
            type.getMethod("assertHealthy").invoke(provider);
            log.info(
                    "native crypto provider {} {} for RSA and ECDSA signatures",
                    provider.getName(),
                    provider.getVersionStr());
            return Optional.of(provider);
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (InvocationTargetException e) {
            log.warn(
                    "native crypto provider {} failed its health check ({}); using the JDK's", className, e.getCause());
            return Optional.empty();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            log.info("native crypto provider {} unusable ({}); using the JDK's", className, e.toString());
            return Optional.empty();
        }
    }
}
