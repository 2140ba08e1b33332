package dev.gatehouse.server.ratelimit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.0 over a socket bound to a chosen local address (127.0.0.2, 127.0.0.3, ...: every 127/8 address reaches
 * the loopback interface), so one test can play several client addresses. Java 17's HttpClient cannot bind, nor
 * send its own {@code Host} header (which a load balancer passes on to every node behind it).
 */
public final class RawHttp {

    /**
     * A response.
     *
     * @param status the status code
     * @param headers the headers, names in lower case
     * @param body the body
     */
    public record Response(int status, Map<String, String> headers, String body) {
        /**
         * One header.
         *
         * @param name its name, in any case
         * @return its value, or {@code null}
         */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {}

    static Response send(String from, int port, String method, String target, String body, String... headers) {
        return send(from, port, "127.0.0.1:" + port, method, target, body, headers);
    }

    /**
     * Sends a request from 127.0.0.1 to {@code port} with the given {@code Host} header, as a load balancer in front
     * of several nodes does: each node builds the request URL from it.
     *
     * @param port the node's port
     * @param host the {@code Host} header, e.g. another node's {@code localhost:port}
     * @param method the method
     * @param target the path and query
     * @param body the form body ({@code ""} for none)
     * @param headers more headers, as name, value, name, value ...
     * @return the response
     */
    public static Response sendAs(String host, int port, String method, String target, String body, String... headers) {
        return send("127.0.0.1", port, host, method, target, body, headers);
    }

    private static Response send(
            String from, int port, String host, String method, String target, String body, String... headers) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
            socket.setSoTimeout(20_000);
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder()
                    .append(method)
                    .append(' ')
                    .append(target)
                    .append(" HTTP/1.0\r\nHost: ")
                    .append(host)
                    .append("\r\n");
            if (!java.util.Arrays.asList(headers).contains("Accept")) {
                request.append("Accept: application/json\r\n");
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            if (!method.equals("GET")) {
                request.append("Content-Type: application/x-www-form-urlencoded\r\n")
                        .append("Content-Length: ")
                        .append(content.length)
                        .append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        String body = end < 0 ? "" : new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Response(status, headers, body);
    }
}
