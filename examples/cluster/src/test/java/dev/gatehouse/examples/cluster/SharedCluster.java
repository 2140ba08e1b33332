package dev.gatehouse.examples.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One cluster for every test class of the run (starting three nodes is the slow part): started by the first class
 * that asks for it, closed when the run ends (JUnit closes {@link AutoCloseable} values of the root store). Three
 * nodes, the loopback limits, the demo with its consent page. Tests that change state use their own users and
 * clients; the class that kills a node runs last ({@code junit-platform.properties}: classes ordered by
 * {@code @Order}).
 */
final class SharedCluster implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedCluster.class);
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Pattern SECRET = Pattern.compile("secret: (\\S+)");
    private static final Pattern PASSWORD = Pattern.compile("password: (\\S+)");
    /** The demo web client's port: nothing listens there unless a test does. */
    static final int CALLBACK_PORT = freePort();

    /**
     * The demo's credentials, from node 1's owner-only file, and the demo service client's redirect URI: on a port of
     * its own ({@code gatehouse.server.demo-web-client-url}), where a browser test can listen for the redirect.
     */
    record Demo(String password, String serviceSecret, String redirect) {
        static final String USER = "demo";
        static final String SERVICE = "gatehouse-demo-service";
        static final String CALLBACK_PATH = "/login/oauth2/code/gatehouse";

        @Override
        public String toString() {
            return "Demo[credentials]";
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Cluster.class || type == Demo.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Cluster cluster =
                context.getRoot().getStore(NAMESPACE).computeIfAbsent(Cluster.class, k -> start(), Cluster.class);
        if (parameter.getParameter().getType() == Cluster.class) {
            return cluster;
        }
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(Demo.class, k -> demo(cluster), Demo.class);
    }

    private static Cluster start() {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            List<String> args = new ArrayList<>(Cluster.LOOPBACK_LIMITS);
            args.add("--gatehouse.server.demo-require-consent=true");
            args.add("--gatehouse.server.demo-web-client-url=http://127.0.0.1:" + CALLBACK_PORT);
            return Cluster.builder(ROOT)
                    .nodes(3)
                    .work(Files.createTempDirectory(target, "cluster-"))
                    .serverArguments(args)
                    .start();
        } catch (Exception e) {
            throw new IllegalStateException("the cluster did not start", e);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The demo credentials node 1 of {@code cluster} wrote (the cluster started with {@link #CALLBACK_PORT} as its demo web client). */
    static Demo demo(Cluster cluster) {
        try {
            String credentials = Files.readString(cluster.demoCredentials());
            return new Demo(
                    find(PASSWORD, credentials, "user demo"),
                    find(SECRET, credentials, Demo.SERVICE),
                    "http://127.0.0.1:" + CALLBACK_PORT + Demo.CALLBACK_PATH);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the demo credentials", e);
        }
    }

    private static String find(Pattern pattern, String credentials, String line) {
        String found = credentials
                .lines()
                .filter(l -> l.contains(line))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no '" + line + "' line in the demo credentials"));
        Matcher m = pattern.matcher(found);
        if (!m.find()) {
            throw new IllegalStateException("the demo credentials file has an unexpected format");
        }
        return m.group(1);
    }
}
