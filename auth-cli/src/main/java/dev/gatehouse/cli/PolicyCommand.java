package dev.gatehouse.cli;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.Obligation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyDocuments;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse policy check --policy FILE_OR_URL --request FILE}: decides one access request with an
 * RBAC model or ABAC policy file (YAML/JSON), an OPA server ({@code http(s)://host:port/v1/data/<document>})
 * or an OPA Wasm bundle ({@code .tar.gz} from {@code opa build -t wasm}), and prints the decision with its
 * explanation as JSON. Exit 0 permit, 1 deny (including an OPA that cannot be reached: fail closed), 2
 * error (unreadable or invalid policy or request).
 */
@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Check access requests against RBAC, ABAC (CEL) or Open Policy Agent policies.")
final class PolicyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    @Command(
            name = "check",
            description = "Decide a request; print the decision as JSON. Exit 0 permit, 1 deny, 2 error.")
    int check(
            @Option(
                            names = "--policy",
                            required = true,
                            description =
                                    "RBAC or ABAC file (.yaml/.json), OPA URL (http://127.0.0.1:8181/v1/data/authz/allow)"
                                            + " or Wasm bundle (.tar.gz)")
                    String policy,
            @Option(names = "--request", required = true, description = "the access request, JSON or YAML")
                    Path request,
            @Option(
                            names = "--entrypoint",
                            description = "Wasm bundle entrypoint (default authz/allow)",
                            defaultValue = "authz/allow")
                    String entrypoint,
            @Option(
                            names = "--timeout",
                            description = "OPA deadline in milliseconds (default 2000)",
                            defaultValue = "2000")
                    long timeoutMillis,
            @Option(
                            names = "--token-file",
                            description = "file holding a bearer token for OPA (--authentication=token)")
                    @Nullable
                    Path tokenFile) {
        AccessRequest req = PolicyDocuments.readRequest(request);
        if (timeoutMillis < 1) {
            throw new CliException("--timeout must be positive");
        }
        Decision d;
        String lower = policy.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try (OpaRestEngine opa = rest(URI.create(policy), Duration.ofMillis(timeoutMillis), tokenFile)) {
                d = PolicyDecisionPoint.of(opa).decide(req);
            }
        } else {
            d = PolicyDecisionPoint.of(fileEngine(Path.of(policy), entrypoint)).decide(req);
        }
        spec.commandLine().getOut().println(Json.write(toMap(d)));
        return d.permitted() ? GatehouseCli.OK : GatehouseCli.NO;
    }

    private static OpaRestEngine rest(URI url, Duration timeout, @Nullable Path tokenFile) {
        String path = url.getPath() == null ? "" : url.getPath();
        int at = path.indexOf("/v1/data/");
        if (at < 0 || path.length() <= at + 9) {
            throw new CliException("an OPA URL must name a document: http://host:port/v1/data/<package>/<rule>");
        }
        URI base = URI.create(url.getScheme() + "://" + url.getRawAuthority() + path.substring(0, at));
        OpaRestEngine.Builder b = OpaRestEngine.builder()
                .url(base)
                .document(path.substring(at + 9))
                .timeout(timeout)
                .connectTimeout(timeout);
        if (tokenFile != null) {
            try {
                b.bearerToken(
                        Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + tokenFile, e);
            }
        }
        return b.build();
    }

    private static PolicyEngine fileEngine(Path file, String entrypoint) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return OpaWasmEngine.builder()
                    .bundle(file)
                    .entrypoint(entrypoint)
                    .poolSize(1)
                    .build();
        }
        Map<String, Object> doc = PolicyDocuments.read(file);
        if (doc.containsKey("rules")) {
            return AbacEngine.of(AbacPolicy.fromDocument(doc, file.toString()));
        }
        if (doc.containsKey("roles")) {
            return RbacEngine.of(RbacModel.fromDocument(doc, file.toString()));
        }
        throw new CliException(file + " is neither an RBAC model (with 'roles') nor an ABAC policy (with 'rules')");
    }

    private static Map<String, Object> toMap(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decision", d.permitted() ? "permit" : "deny");
        if (d instanceof Decision.Deny deny) {
            m.put("cause", deny.cause().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        m.put("policy", d.policy());
        m.put("rule", d.rule());
        m.put("reason", d.reason());
        List<Map<String, Object>> obligations =
                d.obligations().stream().map(PolicyCommand::obligation).toList();
        m.put("obligations", obligations);
        return m;
    }

    private static Map<String, Object> obligation(Obligation o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", o.id());
        m.put("attributes", o.attributes());
        return m;
    }
}
