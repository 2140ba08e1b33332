package dev.gatehouse.benchmarks;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaRestEngine;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import dev.gatehouse.core.policy.rbac.RbacEngine;
import dev.gatehouse.core.policy.rbac.RbacModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy decisions per second on one model, five ways: our RBAC and ABAC (CEL) engines, OPA compiled to Wasm
 * and evaluated in-process (opa-java-wasm), OPA over REST on loopback, and jCasbin's {@code enforce()} with its
 * RBAC-with-hierarchy and ABAC models.
 *
 * <p>The RBAC model: 10 departments x 3 roles in a 3-level hierarchy ({@code admin_d} inherits {@code
 * editor_d} inherits {@code viewer_d}), 10 resource types per department, 500 permissions, 100 users assigned
 * one role each. Each call decides the next of four requests (two permits through 0 and 2 levels of
 * inheritance, two denies). ABAC: owners may do anything, department members may read. OPA gets each role's
 * grants already expanded (data.json) and the user's role in the input; our RBAC and jCasbin look the user's
 * role up and walk the hierarchy (ours precomputed at load). The OPA benchmarks need the binary built by
 * bin/setup.d/opa.sh ({@code target/opa-binary}, or {@code -Dgatehouse.opa.binary}); without it they fail and
 * the others still run. Run: {@code java -jar benchmarks/target/benchmarks.jar Policy}. Higher is better.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class PolicyBenchmark {

    static final int DEPARTMENTS = 10;
    static final int TYPES = 10;
    static final int USERS_PER_DEPARTMENT = 10;
    static final List<String> ADMIN_ACTIONS = List.of("delete", "approve", "publish");

    /** user, action, resource type, expected. */
    static final String[][] RBAC_REQUESTS = {
        {"user_3_9", "read", "res_3_7", "true"},
        {"user_3_9", "delete", "res_3_7", "true"},
        {"user_3_1", "write", "res_3_7", "false"},
        {"user_5_4", "read", "res_3_2", "false"},
    };

    /** user, user's department, action, owner, document's department, expected. */
    static final String[][] ABAC_REQUESTS = {
        {"user_3_9", "d3", "write", "user_3_9", "d3", "true"},
        {"user_3_1", "d3", "read", "user_3_9", "d3", "true"},
        {"user_5_4", "d5", "read", "user_3_9", "d3", "false"},
        {"user_3_1", "d3", "write", "user_3_9", "d3", "false"},
    };

    static final String ABAC_POLICY = """
            id: bench-abac
            algorithm: permit-overrides
            rules:
              - id: owner
                target: { resource: document }
                effect: permit
                condition: resource.attributes.owner == subject.id
              - id: department-reads
                target: { resource: document, actions: [read] }
                effect: permit
                condition: subject.attributes.department == resource.attributes.department
            """;

    static final String CASBIN_RBAC_MODEL = """
            [request_definition]
            r = sub, obj, act

            [policy_definition]
            p = sub, obj, act

            [role_definition]
            g = _, _

            [policy_effect]
            e = some(where (p.eft == allow))

            [matchers]
            m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
            """;

    static final String CASBIN_ABAC_MODEL = """
            [request_definition]
            r = sub, obj, act

            [policy_definition]
            p = sub, obj, act

            [policy_effect]
            e = some(where (p.eft == allow))

            [matchers]
            m = r.sub.name == r.obj.owner || (r.act == "read" && r.sub.department == r.obj.department)
            """;

    static String role(int user) {
        return user < 3 ? "viewer" : user < 6 ? "editor" : "admin";
    }

    /** Role name to its own permissions, as (resource type, action). */
    static Map<String, List<String[]>> permissions() {
        Map<String, List<String[]>> m = new LinkedHashMap<>();
        for (int d = 0; d < DEPARTMENTS; d++) {
            List<String[]> viewer = new ArrayList<>();
            List<String[]> editor = new ArrayList<>();
            List<String[]> admin = new ArrayList<>();
            for (int t = 0; t < TYPES; t++) {
                String type = "res_" + d + "_" + t;
                viewer.add(new String[] {type, "read"});
                editor.add(new String[] {type, "write"});
                for (String a : ADMIN_ACTIONS) {
                    admin.add(new String[] {type, a});
                }
            }
            m.put("viewer_" + d, viewer);
            m.put("editor_" + d, editor);
            m.put("admin_" + d, admin);
        }
        return m;
    }

    static @Nullable String parent(String role) {
        int d = Integer.parseInt(role.substring(role.indexOf('_') + 1));
        return role.startsWith("admin") ? "editor_" + d : role.startsWith("editor") ? "viewer_" + d : null;
    }

    static String userRole(String user) {
        String[] p = user.split("_");
        return role(Integer.parseInt(p[2])) + "_" + p[1];
    }

    static AccessRequest abacRequest(String[] r) {
        return AccessRequest.builder()
                .subject(new Subject(r[0], Set.of(), Map.of("department", r[1])))
                .action(r[2])
                .resource(new Resource("document", "doc-1", Map.of("owner", r[3], "department", r[4])))
                .build();
    }

    static void check(boolean actual, String expected, String what) {
        if (actual != Boolean.parseBoolean(expected)) {
            throw new IllegalStateException(what + " answered " + actual + ", expected " + expected);
        }
    }

    /** Our RBAC engine over the model, users assigned in the model. */
    @State(Scope.Benchmark)
    public static class Rbac {
        PolicyEngine engine;
        AccessRequest[] requests;
        int next;

        @Setup
        public void setUp() {
            RbacModel.Builder b = RbacModel.builder("bench-rbac");
            permissions().forEach((role, perms) -> {
                String parent = parent(role);
                List<dev.gatehouse.core.policy.rbac.Permission> list = new ArrayList<>();
                for (String[] p : perms) {
                    list.add(new dev.gatehouse.core.policy.rbac.Permission(p[0], p[1]));
                }
                b.role(role, parent == null ? List.of() : List.of(parent), list);
            });
            for (int d = 0; d < DEPARTMENTS; d++) {
                for (int u = 0; u < USERS_PER_DEPARTMENT; u++) {
                    b.assign("user_" + d + "_" + u, role(u) + "_" + d);
                }
            }
            engine = RbacEngine.of(b.build());
            requests = new AccessRequest[RBAC_REQUESTS.length];
            for (int i = 0; i < requests.length; i++) {
                String[] r = RBAC_REQUESTS[i];
                requests[i] = AccessRequest.builder()
                        .subject(Subject.of(r[0]))
                        .action(r[1])
                        .resource(Resource.of(r[2], "x"))
                        .build();
                check(engine.evaluate(requests[i]).effect() == Evaluation.Effect.PERMIT, r[3], "our RBAC");
            }
        }
    }

    /** Our ABAC engine with the CEL policy. */
    @State(Scope.Benchmark)
    public static class Abac {
        PolicyEngine engine;
        AccessRequest[] requests;
        int next;

        @Setup
        public void setUp() {
            engine = AbacEngine.of(AbacPolicy.parse(ABAC_POLICY));
            requests = new AccessRequest[ABAC_REQUESTS.length];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = abacRequest(ABAC_REQUESTS[i]);
                check(
                        engine.evaluate(requests[i]).effect() == Evaluation.Effect.PERMIT,
                        ABAC_REQUESTS[i][5],
                        "our ABAC");
            }
        }
    }

    /** jCasbin with RBAC-with-hierarchy and ABAC models. */
    @State(Scope.Benchmark)
    public static class Casbin {
        Enforcer rbac;
        Enforcer abac;
        int nextRbac;
        int nextAbac;
        Object[][] abacArgs;

        @Setup
        public void setUp() {
            rbac = new Enforcer(Model.newModelFromString(CASBIN_RBAC_MODEL));
            permissions().forEach((role, perms) -> {
                for (String[] p : perms) {
                    rbac.addPolicy(role, p[0], p[1]);
                }
                String parent = parent(role);
                if (parent != null) {
                    rbac.addGroupingPolicy(role, parent);
                }
            });
            for (int d = 0; d < DEPARTMENTS; d++) {
                for (int u = 0; u < USERS_PER_DEPARTMENT; u++) {
                    rbac.addGroupingPolicy("user_" + d + "_" + u, role(u) + "_" + d);
                }
            }
            for (String[] r : RBAC_REQUESTS) {
                check(rbac.enforce(r[0], r[2], r[1]), r[3], "jCasbin RBAC");
            }
            abac = new Enforcer(Model.newModelFromString(CASBIN_ABAC_MODEL));
            abacArgs = new Object[ABAC_REQUESTS.length][];
            for (int i = 0; i < ABAC_REQUESTS.length; i++) {
                String[] r = ABAC_REQUESTS[i];
                abacArgs[i] = new Object[] {new User(r[0], r[1]), new Document(r[3], r[4]), r[2]};
                check(abac.enforce(abacArgs[i]), r[5], "jCasbin ABAC");
            }
        }
    }

    /** A subject for jCasbin's ABAC matcher, read through getters. */
    public static final class User {
        private final String name;
        private final String department;

        User(String name, String department) {
            this.name = name;
            this.department = department;
        }

        /**
         * The user name.
         *
         * @return the name
         */
        public String getName() {
            return name;
        }

        /**
         * The department.
         *
         * @return the department
         */
        public String getDepartment() {
            return department;
        }
    }

    /** A resource for jCasbin's ABAC matcher, read through getters. */
    public static final class Document {
        private final String owner;
        private final String department;

        Document(String owner, String department) {
            this.owner = owner;
            this.department = department;
        }

        /**
         * The owner.
         *
         * @return the owner
         */
        public String getOwner() {
            return owner;
        }

        /**
         * The department.
         *
         * @return the department
         */
        public String getDepartment() {
            return department;
        }
    }

    /** OPA: the same model in Rego, compiled to Wasm in-process and served by {@code opa run} on loopback. */
    @State(Scope.Benchmark)
    public static class Opa {
        OpaWasmEngine wasmRbac;
        OpaWasmEngine wasmAbac;
        OpaRestEngine restRbac;
        OpaRestEngine restAbac;
        Process server;
        AccessRequest[] rbacRequests;
        AccessRequest[] abacRequests;
        int nextWasmRbac;
        int nextWasmAbac;
        int nextRestRbac;
        int nextRestAbac;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Path opa = binary();
            Path dir = Files.createTempDirectory("gatehouse-bench-opa");
            try (InputStream in = PolicyBenchmark.class.getResourceAsStream("/policy-bench/authz.rego")) {
                Files.write(dir.resolve("authz.rego"), in.readAllBytes());
            }
            Files.writeString(dir.resolve("data.json"), dataJson(), StandardCharsets.UTF_8);
            Path bundle = dir.resolveSibling(dir.getFileName() + ".tar.gz");
            run(List.of(
                    opa.toString(),
                    "build",
                    "-t",
                    "wasm",
                    "-e",
                    "bench/authz/allow",
                    "-e",
                    "bench/authz/abac_allow",
                    "-o",
                    bundle.toString(),
                    dir.toString()));
            wasmRbac = OpaWasmEngine.builder()
                    .bundle(bundle)
                    .entrypoint("bench/authz/allow")
                    .poolSize(1)
                    .build();
            wasmAbac = OpaWasmEngine.builder()
                    .bundle(bundle)
                    .entrypoint("bench/authz/abac_allow")
                    .poolSize(1)
                    .build();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            server = new ProcessBuilder(
                            opa.toString(),
                            "run",
                            "--server",
                            "--addr",
                            "127.0.0.1:" + port,
                            "--log-level",
                            "error",
                            dir.resolve("authz.rego").toString(),
                            dir.resolve("data.json").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            URI url = URI.create("http://127.0.0.1:" + port);
            awaitHealthy(url);
            restRbac = OpaRestEngine.builder()
                    .url(url)
                    .document("bench/authz/allow")
                    .timeout(Duration.ofSeconds(2))
                    .build();
            restAbac = OpaRestEngine.builder()
                    .url(url)
                    .document("bench/authz/abac_allow")
                    .timeout(Duration.ofSeconds(2))
                    .build();
            rbacRequests = new AccessRequest[RBAC_REQUESTS.length];
            for (int i = 0; i < RBAC_REQUESTS.length; i++) {
                String[] r = RBAC_REQUESTS[i];
                rbacRequests[i] = AccessRequest.builder()
                        .subject(Subject.of(r[0], userRole(r[0])))
                        .action(r[1])
                        .resource(Resource.of(r[2], "x"))
                        .build();
                check(PolicyDecisionPoint.of(wasmRbac).decide(rbacRequests[i]).permitted(), r[3], "OPA Wasm RBAC");
                check(PolicyDecisionPoint.of(restRbac).decide(rbacRequests[i]).permitted(), r[3], "OPA REST RBAC");
            }
            abacRequests = new AccessRequest[ABAC_REQUESTS.length];
            for (int i = 0; i < ABAC_REQUESTS.length; i++) {
                abacRequests[i] = abacRequest(ABAC_REQUESTS[i]);
                check(
                        PolicyDecisionPoint.of(wasmAbac).decide(abacRequests[i]).permitted(),
                        ABAC_REQUESTS[i][5],
                        "OPA Wasm ABAC");
                check(
                        PolicyDecisionPoint.of(restAbac).decide(abacRequests[i]).permitted(),
                        ABAC_REQUESTS[i][5],
                        "OPA REST ABAC");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (restRbac != null) {
                restRbac.close();
                restAbac.close();
            }
            if (server != null) {
                server.destroyForcibly();
            }
        }

        private static String dataJson() {
            // Each role's grants expanded through inheritance: {"bench": {"grants": {role: {type: [actions]}}}}.
            Map<String, List<String[]>> perms = permissions();
            StringBuilder sb = new StringBuilder("{\"bench\": {\"grants\": {");
            boolean firstRole = true;
            for (String role : perms.keySet()) {
                Map<String, List<String>> byType = new TreeMap<>();
                for (String r = role; r != null; r = parent(r)) {
                    // r is role or one of its ancestors, all keys of perms.
                    for (String[] p : Objects.requireNonNull(perms.get(r))) {
                        byType.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
                    }
                }
                sb.append(firstRole ? "" : ", ").append('"').append(role).append("\": {");
                firstRole = false;
                boolean firstType = true;
                for (Map.Entry<String, List<String>> e : byType.entrySet()) {
                    sb.append(firstType ? "" : ", ")
                            .append('"')
                            .append(e.getKey())
                            .append("\": [");
                    firstType = false;
                    for (int i = 0; i < e.getValue().size(); i++) {
                        sb.append(i == 0 ? "" : ", ")
                                .append('"')
                                .append(e.getValue().get(i))
                                .append('"');
                    }
                    sb.append(']');
                }
                sb.append('}');
            }
            return sb.append("}}}").toString();
        }

        static Path binary() throws IOException {
            String prop = System.getProperty("gatehouse.opa.binary", System.getenv("GATEHOUSE_OPA_BINARY"));
            if (prop != null && Files.isExecutable(Path.of(prop))) {
                return Path.of(prop);
            }
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path marker = d.resolve("target/opa-binary");
                if (Files.isRegularFile(marker)) {
                    Path p = Path.of(
                            Files.readString(marker, StandardCharsets.UTF_8).strip());
                    if (Files.isExecutable(p)) {
                        return p;
                    }
                }
            }
            throw new IllegalStateException(
                    "OPA binary not found: run bin/setup.d/opa.sh or set -Dgatehouse.opa.binary");
        }

        static void run(List<String> cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed: " + cmd + "\n" + out);
            }
        }

        private static void awaitHealthy(URI url) throws InterruptedException {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 300; i++) {
                try {
                    if (http.send(
                                            HttpRequest.newBuilder(url.resolve("/health"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                Thread.sleep(100);
            }
            throw new UncheckedIOException(new IOException("opa run did not become healthy"));
        }
    }

    @Benchmark
    public boolean rbacGatehouse(Rbac s) {
        return s.engine.evaluate(s.requests[s.next++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean rbacJcasbin(Casbin s) {
        String[] r = RBAC_REQUESTS[s.nextRbac++ & 3];
        return s.rbac.enforce(r[0], r[2], r[1]);
    }

    @Benchmark
    public boolean rbacOpaWasm(Opa s) {
        return s.wasmRbac.evaluate(s.rbacRequests[s.nextWasmRbac++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean rbacOpaRest(Opa s) {
        return s.restRbac.evaluate(s.rbacRequests[s.nextRestRbac++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean abacGatehouse(Abac s) {
        return s.engine.evaluate(s.requests[s.next++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean abacJcasbin(Casbin s) {
        return s.abac.enforce(s.abacArgs[s.nextAbac++ & 3]);
    }

    @Benchmark
    public boolean abacOpaWasm(Opa s) {
        return s.wasmAbac.evaluate(s.abacRequests[s.nextWasmAbac++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean abacOpaRest(Opa s) {
        return s.restAbac.evaluate(s.abacRequests[s.nextRestAbac++ & 3]).effect() == Evaluation.Effect.PERMIT;
    }
}
