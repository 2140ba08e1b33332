package dev.gatehouse.core.internal;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The third-party libraries auth-core declares as optional (issue 22): each capability's entry points check
 * for theirs before touching it, so an application that lacks one gets the capability's typed exception naming
 * the Maven coordinates to add instead of a {@link NoClassDefFoundError} from deep inside. Not API.
 *
 * <p>Nimbus JOSE+JWT is not listed: it is the {@code jwt} package's implementation throughout, so without it
 * the package's classes fail to link ({@code NoClassDefFoundError: com/nimbusds/...}) before any check could run.
 */
public enum OptionalLibrary {
    /** EdDSA (Ed25519) keys in {@code jwt}: Nimbus signs and generates them through Tink. */
    TINK("com.google.crypto.tink:tink", "com.google.crypto.tink.subtle.Ed25519Sign"),
    /** {@code jwt.InMemoryTokenDenylist} and {@code policy.CachingPolicyEngine}. */
    CAFFEINE("com.github.ben-manes.caffeine:caffeine", "com.github.benmanes.caffeine.cache.Caffeine"),
    /** Policy documents read from YAML or JSON text ({@code RbacModel.load}, {@code AbacPolicy.load}). */
    SNAKEYAML("org.yaml:snakeyaml", "org.yaml.snakeyaml.Yaml"),
    /** {@code password.PasswordPolicy}'s entropy estimate and {@code PasswordBlocklist.common()}. */
    NBVCXZ("me.gosimple:nbvcxz", "me.gosimple.nbvcxz.Nbvcxz"),
    /** TOTP codes ({@code mfa.TotpService}). */
    GOOGLEAUTH("com.warrenstrange:googleauth", "com.warrenstrange.googleauth.GoogleAuthenticator"),
    /** QR codes for authenticator enrolment ({@code mfa.QrCode}). */
    ZXING(
            "com.google.zxing:core and com.google.zxing:javase",
            "com.google.zxing.qrcode.QRCodeWriter",
            "com.google.zxing.client.j2se.MatrixToImageWriter"),
    /** CEL conditions in ABAC policies ({@code policy.abac}). */
    CEL("dev.cel:cel", "dev.cel.bundle.CelFactory"),
    /** An OPA server over REST ({@code policy.opa.OpaRestEngine}); the client takes a Jackson 2 mapper. */
    OPA_REST(
            "com.bisnode.opa:opa-java-client and com.fasterxml.jackson.core:jackson-databind",
            "com.bisnode.opa.client.OpaClient",
            "com.fasterxml.jackson.databind.ObjectMapper"),
    /** OPA policies compiled to Wasm, run in-process ({@code policy.opa.OpaWasmEngine}). */
    OPA_WASM(
            "com.styra.opa:opa-java-wasm",
            "com.styra.opa.wasm.OpaPolicy",
            "com.fasterxml.jackson.databind.ObjectMapper");

    private final String coordinates;
    private final List<String> probes;
    private volatile @Nullable Boolean present;

    OptionalLibrary(String coordinates, String... probes) {
        this.coordinates = coordinates;
        this.probes = List.of(probes);
    }

    /**
     * The Maven coordinates (group:artifact) an application adds for this library.
     *
     * @return the coordinates
     */
    public String coordinates() {
        return coordinates;
    }

    /**
     * Whether the library's classes can be loaded by auth-core's class loader; looked up once.
     *
     * @return true when present
     */
    public boolean isPresent() {
        Boolean p = present;
        if (p == null) {
            p = probes.stream().allMatch(OptionalLibrary::loadable);
            present = p;
        }
        return p;
    }

    /**
     * The message for a capability used without this library: what is missing and what to add.
     *
     * @param capability what needs the library, e.g. {@code "CEL conditions (policy.abac)"}
     * @return the message
     */
    public String missingMessage(String capability) {
        Objects.requireNonNull(capability, "capability must not be null");
        return capability + " need " + coordinates + " on the classpath: add the dependency (auth-core declares it"
                + " optional; see auth-core/README.md, \"Capabilities and their dependencies\")";
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, OptionalLibrary.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
