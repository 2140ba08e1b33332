package dev.gatehouse.benchmarks;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Evaluation;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.PolicyEngine;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import dev.gatehouse.core.policy.abac.AbacEngine;
import dev.gatehouse.core.policy.abac.AbacPolicy;
import dev.gatehouse.core.policy.opa.OpaWasmEngine;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * ABAC decisions whose conditions need CEL proper — a macro over lists ({@code exists}), int arithmetic,
 * timestamps, string functions, {@code size} and {@code matches} — for our {@link AbacEngine}, jCasbin's
 * {@code enforce()} and OPA compiled to Wasm, on the same four rules (deny-overrides):
 *
 * <ol>
 *   <li>permit {@code read} if the subject shares a group with the file: {@code
 *       subject.attributes.groups.exists(g, g in resource.attributes.groups)};
 *   <li>permit {@code write} under one's home within quota: {@code
 *       resource.attributes.path.startsWith(subject.attributes.home) && resource.attributes.size * 2 <
 *       subject.attributes.quota};
 *   <li>deny anything once expired: {@code timestamp(context.now) >= timestamp(resource.attributes.expires)};
 *   <li>deny {@code write} to a badly named or over-tagged file: {@code
 *       !resource.attributes.name.matches('^[a-z0-9._-]{1,64}$') || size(resource.attributes.tags) > 8}.
 * </ol>
 *
 * <p>Each call decides the next of eight requests (three permits, five denies, each deny from a different
 * rule); every engine is checked against the expected decisions in setup, so a wrong engine cannot win.
 * What is equivalent, honestly: jCasbin's matcher (Aviator) uses {@code seq.some} with a lambda and {@code
 * include} for rule 1 (it returns the first match or nil), {@code string.startsWith} and long arithmetic (which wraps on overflow where CEL
 * errs) for rule 2, jCasbin's {@code regexMatch} and {@code count} for rule 4; neither jCasbin nor OPA's Wasm
 * runtime (no {@code time.parse_rfc3339_ns} there) parses timestamps, so both compare the RFC 3339 strings
 * for rule 3 — exact only because every timestamp here is in the one canonical UTC form, and less work than
 * CEL's parsing. The OPA row needs the binary built by bin/setup.d/opa.sh (see {@link PolicyBenchmark}).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar PolicyCelBenchmark}. Higher is better.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class PolicyCelBenchmark {

    static final String NOW = "2026-12-07T21:00:00Z";

    static final String POLICY = """
            id: bench-files
            algorithm: deny-overrides
            rules:
              - id: shared-group-reads
                target: { resource: file, actions: [read] }
                effect: permit
                condition: subject.attributes.groups.exists(g, g in resource.attributes.groups)
              - id: home-writes-within-quota
                target: { resource: file, actions: [write] }
                effect: permit
                condition: >-
                  resource.attributes.path.startsWith(subject.attributes.home)
                  && resource.attributes.size * 2 < subject.attributes.quota
              - id: expired
                target: { resource: file }
                effect: deny
                condition: timestamp(context.now) >= timestamp(resource.attributes.expires)
              - id: bad-name-or-too-many-tags
                target: { resource: file, actions: [write] }
                effect: deny
                condition: >-
                  !resource.attributes.name.matches('^[a-z0-9._-]{1,64}$')
                  || size(resource.attributes.tags) > 8
            """;

    static final String CASBIN_MODEL = """
            [request_definition]
            r = sub, obj, act, ctx

            [policy_definition]
            p = sub, obj, act

            [policy_effect]
            e = some(where (p.eft == allow))

            [matchers]
            m = ((r.act == "read" && seq.some(r.sub.groups, lambda(g) -> include(r.obj.groups, g) end) != nil) \
            || (r.act == "write" && string.startsWith(r.obj.path, r.sub.home) && r.obj.size * 2 < r.sub.quota)) \
            && !(r.ctx.now >= r.obj.expires) \
            && !(r.act == "write" && (!regexMatch(r.obj.name, "^[a-z0-9._-]{1,64}$") || count(r.obj.tags) > 8))
            """;

    static final List<String> STAFF = List.of("staff", "eng", "team-a", "team-b", "oncall");

    /**
     * One request of the rotation.
     *
     * @param action read or write
     * @param user the subject id
     * @param groups the subject's groups
     * @param quota the subject's quota
     * @param home the subject's home prefix
     * @param fileGroups the file's groups
     * @param size the file's size
     * @param path the file's path
     * @param expires when the file expires (canonical RFC 3339, UTC)
     * @param name the file's name
     * @param tags how many tags the file has
     * @param permit the expected decision
     * @param why which rule should decide, for messages
     */
    record Case(
            String action,
            String user,
            List<String> groups,
            long quota,
            String home,
            List<String> fileGroups,
            long size,
            String path,
            String expires,
            String name,
            int tags,
            boolean permit,
            String why) {

        List<String> tagList() {
            List<String> t = new ArrayList<>();
            for (int i = 0; i < tags; i++) {
                t.add("tag-" + i);
            }
            return List.copyOf(t);
        }
    }

    static final List<String> OPS = List.of("ops", "sre", "audit", "oncall");
    static final List<String> FINANCE = List.of("finance", "payroll", "audit-fin", "board");

    static final Case[] CASES = {
        new Case(
                "read",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                OPS,
                10,
                "/srv/ops/runbook.md",
                "2027-01-01T00:00:00Z",
                "runbook.md",
                2,
                true,
                "shared group, last of the subject's"),
        new Case(
                "read",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                FINANCE,
                10,
                "/srv/fin/q4.xlsx",
                "2027-01-01T00:00:00Z",
                "q4.xlsx",
                2,
                false,
                "no shared group"),
        new Case(
                "write",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                FINANCE,
                40,
                "/home/zoe/notes.txt",
                "2027-01-01T00:00:00Z",
                "notes.txt",
                3,
                true,
                "home, within quota"),
        new Case(
                "write",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                FINANCE,
                60,
                "/home/zoe/video.mp4",
                "2027-01-01T00:00:00Z",
                "video.mp4",
                3,
                false,
                "over quota"),
        new Case(
                "read",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                OPS,
                10,
                "/srv/ops/old.md",
                "2026-12-07T20:59:59Z",
                "old.md",
                2,
                false,
                "expired"),
        new Case(
                "write",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                OPS,
                10,
                "/home/bob/notes.txt",
                "2027-01-01T00:00:00Z",
                "notes.txt",
                2,
                false,
                "not under home"),
        new Case(
                "write",
                "zoe",
                STAFF,
                100,
                "/home/zoe/",
                OPS,
                10,
                "/home/zoe/Bad Name!",
                "2027-01-01T00:00:00Z",
                "Bad Name!",
                2,
                false,
                "bad name"),
        new Case(
                "read",
                "bob",
                List.of("oncall"),
                100,
                "/home/bob/",
                OPS,
                10,
                "/srv/ops/pager.md",
                "2027-01-01T00:00:00Z",
                "pager.md",
                9,
                true,
                "shared group (tags only matter for writes)"),
    };

    static AccessRequest request(Case c) {
        return AccessRequest.builder()
                .subject(new Subject(
                        c.user(), Set.of(), Map.of("groups", c.groups(), "quota", c.quota(), "home", c.home())))
                .action(c.action())
                .resource(new Resource(
                        "file",
                        c.path(),
                        Map.of(
                                "groups", c.fileGroups(),
                                "size", c.size(),
                                "path", c.path(),
                                "expires", c.expires(),
                                "name", c.name(),
                                "tags", c.tagList())))
                .context(Map.of("now", NOW))
                .build();
    }

    static void check(boolean actual, Case c, String engine) {
        if (actual != c.permit()) {
            throw new IllegalStateException(
                    engine + " answered " + actual + " for '" + c.why() + "', expected " + c.permit());
        }
    }

    /** Our ABAC engine with the CEL policy. */
    @State(Scope.Benchmark)
    public static class Ours {
        PolicyEngine engine;
        AccessRequest[] requests;
        int next;

        @Setup
        public void setUp() {
            engine = AbacEngine.of(AbacPolicy.parse(POLICY));
            requests = new AccessRequest[CASES.length];
            for (int i = 0; i < CASES.length; i++) {
                requests[i] = request(CASES[i]);
                check(engine.evaluate(requests[i]).effect() == Evaluation.Effect.PERMIT, CASES[i], "our ABAC");
            }
        }
    }

    /** jCasbin with the same rules as one matcher over POJOs with getters. */
    @State(Scope.Benchmark)
    public static class Casbin {
        Enforcer enforcer;
        Object[][] args;
        int next;

        @Setup
        public void setUp() {
            enforcer = new Enforcer(Model.newModelFromString(CASBIN_MODEL));
            args = new Object[CASES.length][];
            for (int i = 0; i < CASES.length; i++) {
                Case c = CASES[i];
                args[i] = new Object[] {
                    new User(c.groups(), c.quota(), c.home()),
                    new File(c.fileGroups(), c.size(), c.path(), c.expires(), c.name(), c.tagList()),
                    c.action(),
                    new Context(NOW)
                };
                check(enforcer.enforce(args[i]), c, "jCasbin");
            }
        }
    }

    /** OPA: the same rules in Rego, compiled to Wasm and evaluated in-process. */
    @State(Scope.Benchmark)
    public static class Opa {
        OpaWasmEngine engine;
        AccessRequest[] requests;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Path opa = PolicyBenchmark.Opa.binary();
            Path dir = Files.createTempDirectory("gatehouse-bench-opa-files");
            try (InputStream in = PolicyCelBenchmark.class.getResourceAsStream("/policy-bench/files.rego")) {
                Files.write(dir.resolve("files.rego"), in.readAllBytes());
            }
            Path bundle = dir.resolveSibling(dir.getFileName() + ".tar.gz");
            PolicyBenchmark.Opa.run(List.of(
                    opa.toString(),
                    "build",
                    "-t",
                    "wasm",
                    "-e",
                    "bench/files/allow",
                    "-o",
                    bundle.toString(),
                    dir.toString()));
            engine = OpaWasmEngine.builder()
                    .bundle(bundle)
                    .entrypoint("bench/files/allow")
                    .poolSize(1)
                    .build();
            requests = new AccessRequest[CASES.length];
            for (int i = 0; i < CASES.length; i++) {
                requests[i] = request(CASES[i]);
                check(PolicyDecisionPoint.of(engine).decide(requests[i]).permitted(), CASES[i], "OPA Wasm");
            }
        }
    }

    /** A subject for jCasbin's matcher, read through getters. */
    public static final class User {
        private final List<String> groups;
        private final long quota;
        private final String home;

        User(List<String> groups, long quota, String home) {
            this.groups = groups;
            this.quota = quota;
            this.home = home;
        }

        /**
         * The groups.
         *
         * @return the groups
         */
        public List<String> getGroups() {
            return groups;
        }

        /**
         * The quota.
         *
         * @return the quota
         */
        public long getQuota() {
            return quota;
        }

        /**
         * The home prefix.
         *
         * @return the prefix
         */
        public String getHome() {
            return home;
        }
    }

    /** A file for jCasbin's matcher, read through getters. */
    public static final class File {
        private final List<String> groups;
        private final long size;
        private final String path;
        private final String expires;
        private final String name;
        private final List<String> tags;

        File(List<String> groups, long size, String path, String expires, String name, List<String> tags) {
            this.groups = groups;
            this.size = size;
            this.path = path;
            this.expires = expires;
            this.name = name;
            this.tags = tags;
        }

        /**
         * The groups.
         *
         * @return the groups
         */
        public List<String> getGroups() {
            return groups;
        }

        /**
         * The size.
         *
         * @return the size
         */
        public long getSize() {
            return size;
        }

        /**
         * The path.
         *
         * @return the path
         */
        public String getPath() {
            return path;
        }

        /**
         * When it expires.
         *
         * @return RFC 3339, UTC
         */
        public String getExpires() {
            return expires;
        }

        /**
         * The name.
         *
         * @return the name
         */
        public String getName() {
            return name;
        }

        /**
         * The tags.
         *
         * @return the tags
         */
        public List<String> getTags() {
            return tags;
        }
    }

    /** The request context for jCasbin's matcher. */
    public static final class Context {
        private final String now;

        Context(String now) {
            this.now = now;
        }

        /**
         * The time of the request.
         *
         * @return RFC 3339, UTC
         */
        public String getNow() {
            return now;
        }
    }

    @Benchmark
    public boolean celGatehouse(Ours s) {
        return s.engine.evaluate(s.requests[s.next++ & 7]).effect() == Evaluation.Effect.PERMIT;
    }

    @Benchmark
    public boolean celJcasbin(Casbin s) {
        return s.enforcer.enforce(s.args[s.next++ & 7]);
    }

    @Benchmark
    public boolean celOpaWasm(Opa s) {
        return s.engine.evaluate(s.requests[s.next++ & 7]).effect() == Evaluation.Effect.PERMIT;
    }
}
