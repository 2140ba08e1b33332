package dev.gatehouse.examples.api;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The profile {@code mcp}: a Model Context Protocol server (MCP Java SDK, Streamable HTTP transport of the MCP
 * specification 2025-06-18) at {@code /mcp}, protected by the starter like the documents API. Its resource identifier
 * ({@code gatehouse.resource-server.resource}) is the MCP server's URL, as the MCP authorization specification asks,
 * so MCP clients find the authorization server through the RFC 9728 document the starter serves, ask for tokens with
 * {@code resource=<that URL>} (RFC 8707), and the starter accepts only tokens whose {@code aud} names it. Calling the
 * server needs the scope {@code mcp.tools} (a token without it gets {@code 403 insufficient_scope}).
 */
@Configuration(proxyBeanMethods = false)
@Profile("mcp")
class McpServerConfiguration {

    /** The scope a token needs to call the MCP server (advertised in the metadata's {@code scopes_supported}). */
    static final String SCOPE = "mcp.tools";

    /** The MCP endpoint's path: the path of the resource identifier. */
    static final String ENDPOINT = "/mcp";

    /**
     * The one chain: the MCP endpoint needs the scope, the rest of the app a valid token. The starter adds RFC 9728
     * (metadata document, {@code resource_metadata} in challenges) to it as to any resource-server chain.
     */
    @Bean
    SecurityFilterChain mcpSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests.requestMatchers(ENDPOINT)
                        .hasAuthority("SCOPE_" + SCOPE)
                        .anyRequest()
                        .authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()));
        return http.build();
    }

    /**
     * The Streamable HTTP transport. Host and Origin headers are checked against the configured resource identifier
     * (MCP transports §Security Warning: DNS rebinding), never against what the request claims.
     */
    @Bean
    HttpServletStreamableServerTransportProvider mcpTransport(Environment environment) {
        URI resource = URI.create(environment.getRequiredProperty("gatehouse.resource-server.resource"));
        if (!ENDPOINT.equals(resource.getPath())) {
            throw new IllegalStateException("gatehouse.resource-server.resource must be the MCP server's URL, ending"
                    + " in " + ENDPOINT + " (MCP authorization: the resource identifier is the server's URL)");
        }
        String origin = resource.getScheme() + "://" + resource.getRawAuthority();
        return HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper())
                .mcpEndpoint(ENDPOINT)
                .securityValidator(DefaultServerTransportSecurityValidator.builder()
                        .allowedHost(resource.getRawAuthority())
                        .allowedOrigin(origin)
                        .build())
                // The caller, as the resource server authenticated it, for the tools.
                .contextExtractor(request -> {
                    Principal principal = request.getUserPrincipal();
                    return principal == null
                            ? McpTransportContext.EMPTY
                            : McpTransportContext.create(Map.of("subject", principal.getName()));
                })
                .build();
    }

    @Bean
    ServletRegistrationBean<HttpServletStreamableServerTransportProvider> mcpServlet(
            HttpServletStreamableServerTransportProvider transport) {
        ServletRegistrationBean<HttpServletStreamableServerTransportProvider> registration =
                new ServletRegistrationBean<>(transport, ENDPOINT);
        registration.setAsyncSupported(true);
        return registration;
    }

    /** The server and its one tool, {@code read_document}, over the documents store of the API. */
    @Bean(destroyMethod = "closeGracefully")
    McpSyncServer mcpServer(HttpServletStreamableServerTransportProvider transport, DocumentsApi.Documents documents) {
        McpSchema.Tool readDocument = McpSchema.Tool.builder()
                .name("read_document")
                .title("Read a document")
                .description("The title of a document of the example documents API, by id (d-1 to d-3).")
                .inputSchema(Map.of(
                        "type",
                        "object",
                        "properties",
                        Map.of("id", Map.of("type", "string", "maxLength", 20)),
                        "required",
                        List.of("id"),
                        "additionalProperties",
                        false))
                .build();
        McpServerFeatures.SyncToolSpecification tool = McpServerFeatures.SyncToolSpecification.builder()
                .tool(readDocument)
                .callHandler((exchange, request) -> readDocument(documents, exchange.transportContext(), request))
                .build();
        return McpServer.sync(transport)
                .serverInfo("gatehouse-example-documents", "1.0.0")
                .capabilities(
                        McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tool)
                .build();
    }

    private static McpSchema.CallToolResult readDocument(
            DocumentsApi.Documents documents, McpTransportContext context, McpSchema.CallToolRequest request) {
        Object id = request.arguments() == null ? null : request.arguments().get("id");
        Map<String, Object> document = id instanceof String s ? documents.find(s) : null;
        // Classified documents stay out of reach here as in the API (OPA vetoes them there).
        if (document == null || Boolean.TRUE.equals(document.get("classified"))) {
            return McpSchema.CallToolResult.builder()
                    .isError(true)
                    .addTextContent("no such document")
                    .build();
        }
        return McpSchema.CallToolResult.builder()
                .addTextContent(document.get("title") + " (read for " + context.get("subject") + ")")
                .build();
    }
}
