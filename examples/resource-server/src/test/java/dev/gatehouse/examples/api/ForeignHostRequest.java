package dev.gatehouse.examples.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A {@code GET} over a plain socket with a {@code Host} header the client chose ({@code java.net.http} refuses to
 * set one): no absolute URL in the answer may name that host.
 */
final class ForeignHostRequest {

    /** The host the requests claim. */
    static final String HOST = "evil.example";

    private ForeignHostRequest() {}

    /**
     * Sends the request to the app on loopback.
     *
     * @return the whole response: status line, headers and body
     */
    static String get(int port, String path, @Nullable String token) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Accept: application/json\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
