package dev.gatehouse.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one secret from standard input: all of it, UTF-8 (invalid bytes are an error, not replaced), with
 * one trailing line break removed so {@code echo secret | gatehouse ...} works.
 */
final class SecretInput {

    private static final int MAX_BYTES = 16 * 1024;

    private final InputStream in;

    SecretInput(InputStream in) {
        this.in = in;
    }

    String read() {
        java.io.Console console = System.console();
        if (in == System.in && console != null) {
            // Interactive: prompt without echo instead of waiting for end-of-input.
            char[] typed = console.readPassword("Password (not echoed): ");
            if (typed == null || typed.length == 0) {
                throw new CliException("expected a password, got nothing");
            }
            try {
                return new String(typed);
            } finally {
                java.util.Arrays.fill(typed, '\0');
            }
        }
        byte[] bytes;
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) != -1) {
                buffer.write(chunk, 0, n);
                if (buffer.size() > MAX_BYTES) {
                    throw new CliException("standard input is longer than " + MAX_BYTES + " bytes");
                }
            }
            bytes = buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read standard input", e);
        }
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            if (s.endsWith("\r\n")) {
                s = s.substring(0, s.length() - 2);
            } else if (s.endsWith("\n")) {
                s = s.substring(0, s.length() - 1);
            }
            if (s.isEmpty()) {
                throw new CliException("expected the password on standard input, got nothing");
            }
            return s;
        } catch (CharacterCodingException e) {
            throw new CliException("standard input is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
