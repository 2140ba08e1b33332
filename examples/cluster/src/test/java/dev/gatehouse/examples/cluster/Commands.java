package dev.gatehouse.examples.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an operator's command as a process (bin/backup, bin/restore, pg_basebackup), bounded in time, and keeps its
 * exit status and output for the test to assert on.
 */
final class Commands {

    private static final Duration BOUND = Duration.ofMinutes(2);

    private Commands() {}

    /** A finished command: exit status, standard output and standard error. */
    record Result(int status, String out, String err) {

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code command} in {@code dir} with {@code environment} added to this JVM's environment.
     *
     * @return its result once it has exited
     * @throws IllegalStateException if it runs longer than two minutes (it is killed)
     */
    static Result run(Path dir, Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("gatehouse-command-", ".out");
        Path err = Files.createTempFile("gatehouse-command-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(command + " ran longer than " + BOUND.toSeconds() + " s");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A PostgreSQL client tool: from {@code GATEHOUSE_PG_BIN} when set, else the PATH's. */
    static String pgTool(String name) {
        String bin = System.getenv("GATEHOUSE_PG_BIN");
        return bin == null || bin.isBlank() ? name : Path.of(bin, name).toString();
    }
}
