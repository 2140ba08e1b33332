package dev.gatehouse.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's data directory for a test context, and the generated credentials the server writes into it. */
final class DemoData {

    private DemoData() {}

    /** A new, empty data directory. */
    static Path newDataDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The demo user's generated password. */
    static String demoPassword(Path dataDir) {
        return lastWordOfLine(dataDir, "password:");
    }

    /** A demo client's generated secret. */
    static String clientSecret(Path dataDir, String clientId) {
        return lastWordOfLine(dataDir, clientId + " secret:");
    }

    private static String lastWordOfLine(Path dataDir, String marker) {
        try {
            for (String line : Files.readAllLines(dataDir.resolve("demo-credentials.txt"), StandardCharsets.UTF_8)) {
                if (line.contains(marker)) {
                    String[] words = line.strip().split(" ");
                    return words[words.length - 1];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no '" + marker + "' line in the demo credentials");
    }
}
