package dev.gatehouse.server;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A tiny browser over real sockets: keeps cookies, never follows redirects, posts forms. */
final class HttpBrowser {

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;
    private final Map<String, String> cookies;

    HttpBrowser(String base) {
        this(base, new LinkedHashMap<>());
    }

    private HttpBrowser(String base, Map<String, String> cookies) {
        this.base = base;
        this.cookies = cookies;
    }

    /** The same browser (the same cookie jar) talking to another server node. */
    HttpBrowser on(String otherBase) {
        return new HttpBrowser(otherBase, cookies);
    }

    /** A cookie's current value, or {@code null}. */
    String cookie(String name) {
        return cookies.get(name);
    }

    /** Sets a cookie as if a server had set it. */
    void cookie(String name, String value) {
        cookies.put(name, value);
    }

    /** A page GET with extra headers (name, value, ...). */
    HttpResponse<String> get(String pathOrUrl, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathOrUrl))
                .header("Accept", "text/html")
                .GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    HttpResponse<String> get(String pathOrUrl) {
        return send(HttpRequest.newBuilder(uri(pathOrUrl))
                .header("Accept", "text/html")
                .GET());
    }

    HttpResponse<String> postForm(String path, Map<String, String> form, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    HttpResponse<String> postRaw(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /**
     * A form POST whose body is streamed with {@code Transfer-Encoding: chunked} and no {@code Content-Length}, so
     * the server cannot refuse it by its declared size.
     */
    HttpResponse<String> postChunked(String path, String body, String... headers) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** A GET as an API client sends it (JSON, no cookies of a browser flow). */
    HttpResponse<String> getApi(String path) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Accept", "application/json")
                .GET());
    }

    /** A CORS preflight for a POST from {@code origin}. */
    HttpResponse<String> options(String path, String origin) {
        return send(HttpRequest.newBuilder(uri(path))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type"));
    }

    /** A GET as an API client sends it, with extra headers (name, value, ...). */
    HttpResponse<String> getApi(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Accept", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.GET());
    }

    HttpResponse<String> getWithBearer(String path, String token) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token)
                .GET());
    }

    /** A JSON POST as a page's script sends it (the passkey ceremonies), with extra headers (name, value, ...). */
    HttpResponse<String> postJson(String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** A DELETE as a page's script would send it, with extra headers (name, value, ...). */
    HttpResponse<String> delete(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Accept", "application/json")
                .DELETE();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** Signs in through the login form with the page's CSRF token; the post has extra headers (name, value, ...). */
    HttpResponse<String> login(String username, String password, String... headers) {
        HttpResponse<String> page = get("/login");
        return postForm(
                "/login",
                Map.of("username", username, "password", password, "_csrf", MfaSignInFlow.csrf(page)),
                headers);
    }

    static String basic(String id, String secret) {
        String pair =
                URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    static String urlEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q == null) {
            return out;
        }
        for (String pair : q.split("&")) {
            int i = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : java.net.URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private URI uri(String pathOrUrl) {
        return URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    }

    /** Any request, with this browser's cookies. */
    HttpResponse<String> send(HttpRequest.Builder b) {
        if (!cookies.isEmpty()) {
            b.header(
                    "Cookie",
                    cookies.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("; ")));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            List<String> set = r.headers().allValues("Set-Cookie");
            for (String c : set) {
                String pair = c.split(";", 2)[0];
                int i = pair.indexOf('=');
                cookies.put(pair.substring(0, i), pair.substring(i + 1));
            }
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
