package dev.gatehouse.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.gatehouse.core.password.PasswordHasher;
import dev.gatehouse.server.clients.ClientSecrets;
import dev.gatehouse.server.users.JdbcUserStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped dashboard ({@code ops/grafana/gatehouse.json}) and alert rules ({@code ops/prometheus/gatehouse-alerts.yml})
 * against a running server (H2): after sign-ins, tokens, a refused token request and a rate-limit refusal, every metric
 * name either of them uses is in {@code /actuator/prometheus} (scraped with an {@code actuator.read} token), the new
 * meters move, and, with promtool present (bin/setup.d/promtool.sh, run by bin/test), {@code promtool check rules}
 * and {@code promtool test rules} pass. Without promtool the rules are still parsed and checked for shape here.
 */
@SpringBootTest(
        classes = GatehouseServer.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "gatehouse.token.issuer=",
            "gatehouse.server.purge-interval=1h",
            "gatehouse.token.rotation-check-interval=1h",
            "gatehouse.dev-mode=true",
            "gatehouse.server.demo=false"
        })
@TestPropertySource(
        locations = "classpath:suite-rate-limits.properties",
        properties = "gatehouse.server.rate-limit.introspection-per-address=2/1m")
class MetricsCatalogTests {

    private static final String PASSWORD = "catalog password 4 test";

    /** A name in PromQL: a metric, a function, an aggregation or a keyword. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private static final Set<String> KEYWORDS = Set.of(
            "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset");

    private static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("gatehouse-metrics-catalog-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gatehouse.server.data-dir", DATA::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    RegisteredClientRepository clients;

    @Autowired
    ClientSecrets clientSecrets;

    @Autowired
    JdbcUserStore users;

    @Autowired
    PasswordHasher hasher;

    private HttpBrowser api;
    private String clientId;
    private String clientSecret;

    @BeforeEach
    void setUp() {
        api = new HttpBrowser("http://localhost:" + port);
        clientSecret = clientSecrets.generate();
        clientId = "catalog-" + UUID.randomUUID();
        clients.save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(clientId)
                .clientSecret(clientSecrets.encoder().encode(clientSecret))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scope("actuator.read")
                .build());
    }

    @Test
    void prometheusWhenFlowsExercisedThenEveryMetricOfTheDashboardAndAlertsExists() throws Exception {
        String name = "catalog-" + UUID.randomUUID();
        users.create(name, hasher.hash(PASSWORD), List.of("user"));
        new HttpBrowser(base()).login(name, "not the password 1");
        new HttpBrowser(base()).login(name, PASSWORD);
        String token = monitorToken();
        // A refused token request (RFC 6749 §5.2 invalid_grant) and an unknown grant type (unsupported_grant_type).
        assertThat(tokenRequest(Map.of("grant_type", "authorization_code", "code", "no-such-code"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(tokenRequest(Map.of("grant_type", "urn:example:none")).statusCode())
                .isEqualTo(400);
        // Introspection is limited to 2 a minute here: the third is refused.
        int refused = 0;
        for (int i = 0; i < 3; i++) {
            refused += introspect(token).statusCode() == 429 ? 1 : 0;
        }
        assertThat(refused).isEqualTo(1);

        String scrape = scrape(token);
        Set<String> present = sampleNames(scrape);
        Set<String> used = new LinkedHashSet<>();
        used.addAll(dashboardMetrics());
        used.addAll(alertMetrics());
        assertThat(used).contains("gatehouse_oauth_errors_total", "gatehouse_database_up");
        // Series Prometheus itself makes for each target, never exported by a server.
        used.removeAll(PROMETHEUS_OWN);
        assertThat(present).as("metrics on a running server").containsAll(used);

        assertThat(value(scrape, "gatehouse_oauth_errors_total", "endpoint=\"token\"", "error=\"invalid_grant\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(
                        scrape,
                        "gatehouse_oauth_errors_total",
                        "endpoint=\"token\"",
                        "error=\"unsupported_grant_type\""))
                .isGreaterThanOrEqualTo(1);
        // Pre-registered at 0: an endpoint's usual codes are there before their first error.
        assertThat(value(scrape, "gatehouse_oauth_errors_total", "endpoint=\"revoke\"", "error=\"invalid_client\""))
                .isZero();
        assertThat(value(scrape, "gatehouse_ratelimit_refusals_total", "group=\"introspection\"", "reason=\"limited\""))
                .isEqualTo(1);
        assertThat(value(scrape, "gatehouse_ratelimit_refusals_total", "group=\"login\"", "reason=\"limited\""))
                .isZero();
        assertThat(value(scrape, "gatehouse_signin_total", "outcome=\"failure\""))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(scrape, "gatehouse_signin_total", "outcome=\"locked\""))
                .isZero();
        assertThat(value(scrape, "gatehouse_database_up")).isEqualTo(1);
        assertThat(value(scrape, "gatehouse_keys_published", "state=\"active\""))
                .isEqualTo(1);
        assertThat(value(scrape, "gatehouse_keys_active_age_seconds")).isGreaterThanOrEqualTo(0);
        assertThat(value(scrape, "gatehouse_keys_rotation_period_seconds")).isEqualTo(30 * 24 * 3600);
        // Nothing a person typed or a client holds is a label value.
        assertThat(scrape).doesNotContain(name).doesNotContain(clientSecret).doesNotContain(token);
    }

    @Test
    void alertRulesWhenParsedThenEveryAlertHasSeverityRunbookAndFiringAndSilentUnitTests() {
        Map<String, Object> rules = yaml("ops/prometheus/gatehouse-alerts.yml");
        Map<String, Object> tests = yaml("ops/prometheus/gatehouse-alerts.test.yml");
        List<String> alerts = new ArrayList<>();
        for (Object group : list(rules.get("groups"))) {
            for (Object r : list(map(group).get("rules"))) {
                Map<String, Object> rule = map(r);
                String alert = String.valueOf(rule.get("alert"));
                alerts.add(alert);
                assertThat(rule.get("expr")).as(alert).isInstanceOf(String.class);
                assertThat(map(rule.get("labels"))).as(alert).containsKey("severity");
                assertThat(map(rule.get("annotations"))).as(alert).containsKeys("summary", "runbook");
            }
        }
        assertThat(alerts)
                .contains(
                        "GatehouseSignInFailureSpike",
                        "GatehouseLockoutStorm",
                        "GatehouseAuditOverflow",
                        "GatehouseAuditStoreFailures",
                        "GatehouseNoActiveSigningKey",
                        "GatehouseSigningKeyTooOld",
                        "GatehouseDatabaseDown",
                        "GatehouseTargetDown",
                        "GatehouseSignInFailuresHigh",
                        "GatehouseSignInRateLimited",
                        "GatehouseHigh5xxRate");
        Set<String> fires = new HashSet<>();
        Set<String> silent = new HashSet<>();
        for (Object t : list(tests.get("tests"))) {
            for (Object c : list(map(t).get("alert_rule_test"))) {
                Map<String, Object> check = map(c);
                String alert = String.valueOf(check.get("alertname"));
                (list(check.get("exp_alerts")).isEmpty() ? silent : fires).add(alert);
            }
        }
        assertThat(fires).as("alerts with a unit test where they fire").containsAll(alerts);
        assertThat(silent).as("alerts with a unit test where they stay silent").containsAll(alerts);
    }

    @Test
    void promtoolWhenPresentThenRulesCheckAndUnitTestsPass() throws Exception {
        Path promtool = promtool();
        Assumptions.assumeTrue(
                promtool != null, "promtool not found: bin/setup.d/promtool.sh builds it (bin/test runs it)");
        Path dir = repository().resolve("ops/prometheus");
        run(promtool, dir, "check", "rules", "gatehouse-alerts.yml");
        run(promtool, dir, "test", "rules", "gatehouse-alerts.test.yml");
    }

    // ---------------------------------------------------------------- flows

    private String base() {
        return "http://localhost:" + port;
    }

    private String monitorToken() throws Exception {
        HttpResponse<String> r = tokenRequest(Map.of("grant_type", "client_credentials", "scope", "actuator.read"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (String) JSONObjectUtils.parse(r.body()).get("access_token");
    }

    private HttpResponse<String> tokenRequest(Map<String, String> form) {
        return api.postForm("/oauth2/token", form, "Authorization", HttpBrowser.basic(clientId, clientSecret));
    }

    private HttpResponse<String> introspect(String token) {
        return api.postForm(
                "/oauth2/introspect",
                Map.of("token", token),
                "Authorization",
                HttpBrowser.basic(clientId, clientSecret));
    }

    private String scrape(String token) {
        HttpResponse<String> metrics = api.getWithBearer("/actuator/prometheus", token);
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body();
    }

    // ---------------------------------------------------------------- the scrape

    /** The names of the samples in a Prometheus text scrape ({@code name{labels} value} or {@code name value}). */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new HashSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = NAME.matcher(line);
            if (m.lookingAt()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The value of the one sample of {@code name} whose labels include all of {@code labels}. */
    static double value(String scrape, String name, String... labels) {
        List<Double> values = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labelPart = close < 0 ? "" : line.substring(name.length(), close + 1);
            boolean all = true;
            for (String label : labels) {
                all &= labelPart.contains(label);
            }
            if (all) {
                String[] parts = line.substring(close < 0 ? name.length() : close + 1)
                        .trim()
                        .split(" ");
                values.add(Double.parseDouble(parts[0]));
            }
        }
        assertThat(values).as(name + " " + String.join(",", labels)).hasSize(1);
        return values.get(0);
    }

    // ---------------------------------------------------------------- what the dashboard and the rules use

    static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard;
        try (InputStream in = Files.newInputStream(repository().resolve("ops/grafana/gatehouse.json"))) {
            dashboard = new ObjectMapper().readTree(in);
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            names.addAll(metricNames(expr.asText()));
        }
        Matcher labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")
                .matcher(dashboard.path("templating").toString());
        while (labelValues.find()) {
            names.add(labelValues.group(1));
        }
        assertThat(names).as("metrics of the dashboard").hasSizeGreaterThan(15);
        return names;
    }

    /** Series a Prometheus server makes for every scrape target itself. */
    static final Set<String> PROMETHEUS_OWN = Set.of("up");

    static Set<String> alertMetrics() {
        Set<String> names = new LinkedHashSet<>();
        for (Object group : list(yaml("ops/prometheus/gatehouse-alerts.yml").get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                names.addAll(metricNames(String.valueOf(map(rule).get("expr"))));
            }
        }
        return names;
    }

    /**
     * The metric names in a PromQL expression: what is left once strings, label matchers, ranges and grouping clauses
     * are removed, less functions and aggregations (a name followed by a parenthesis) and keywords.
     */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String name = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!call && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void metricNamesWhenExpressionThenOnlyMetricsNotFunctionsLabelsOrKeywords() {
        assertThat(metricNames("sum by (job) (rate(a_total{outcome=\"failure\",job=~\"$job\"}[$__rate_interval])) > 0.5"
                        + " * sum by (job) (rate(b_total[5m])) and on (job) c_seconds > d + 3600 or e offset 1h"))
                .containsExactly("a_total", "b_total", "c_seconds", "d", "e");
    }

    // ---------------------------------------------------------------- files and promtool

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String path) {
        try (InputStream in = Files.newInputStream(repository().resolve(path))) {
            return (Map<String, Object>) new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** The repository root: the first directory up from here that holds {@code ops/prometheus}. */
    static Path repository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("ops/prometheus"))) {
                return dir;
            }
        }
        throw new AssertionError("no ops/prometheus above " + Path.of("").toAbsolutePath());
    }

    /**
     * promtool from {@code -Dgatehouse.promtool.binary}, {@code $GATEHOUSE_PROMTOOL_BINARY} or the file {@code
     * target/promtool-binary} at the repository root (written by bin/setup.d/promtool.sh); {@code null} if none.
     */
    private static Path promtool() throws IOException {
        List<String> candidates = new ArrayList<>();
        candidates.add(System.getProperty("gatehouse.promtool.binary"));
        candidates.add(System.getenv("GATEHOUSE_PROMTOOL_BINARY"));
        Path marker = repository().resolve("target/promtool-binary");
        if (Files.isRegularFile(marker)) {
            candidates.add(Files.readString(marker, StandardCharsets.UTF_8).strip());
        }
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    private static void run(Path promtool, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue())
                    .as(String.join(" ", command) + ":\n" + output)
                    .isZero();
        } finally {
            process.destroyForcibly();
        }
    }
}
