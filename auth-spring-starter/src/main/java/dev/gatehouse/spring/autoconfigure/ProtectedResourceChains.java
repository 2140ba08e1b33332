package dev.gatehouse.spring.autoconfigure;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.security.web.DefaultSecurityFilterChain;

/**
 * Narrows Spring Security's protected resource metadata filter ({@code OAuth2ProtectedResourceMetadataFilter}) in
 * the chains the starter configured ({@link GatehouseProtectedResource.ChainConfigurer} records their filters). That
 * filter answers {@code GET} of every path under {@code /.well-known/oauth-protected-resource}, and
 * {@code oauth2ResourceServer(...)} has no switch to leave it out:
 *
 * <ul>
 *   <li>with {@code gatehouse.resource-server.resource}, it answers only the resource's own well-known path (RFC
 *       9728 §3.1) and the bare one; any other path there goes on down the chain and is answered as the application
 *       answers an unknown path (a {@code 404}, or a {@code 401} where it requires a token);
 *   <li>without it, it is removed: a document whose {@code resource} came from the request's {@code Host} would tell
 *       clients to trust whatever host the request named.
 * </ul>
 */
final class ProtectedResourceChains implements BeanPostProcessor {

    private final ObjectProvider<GatehouseProtectedResource> resource;

    private final Set<Filter> metadataFilters =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    ProtectedResourceChains(ObjectProvider<GatehouseProtectedResource> resource) {
        this.resource = resource;
    }

    /** Records a metadata filter of a chain the starter configured. */
    void add(Filter metadataFilter) {
        metadataFilters.add(metadataFilter);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof DefaultSecurityFilterChain chain)
                || chain.getFilters().stream().noneMatch(metadataFilters::contains)) {
            return bean;
        }
        GatehouseProtectedResource protectedResource = resource.getIfAvailable();
        List<Filter> filters = new ArrayList<>();
        for (Filter filter : chain.getFilters()) {
            if (!metadataFilters.contains(filter)) {
                filters.add(filter);
            } else if (protectedResource != null) {
                filters.add(new OwnDocumentOnly(filter, protectedResource));
            }
        }
        DefaultSecurityFilterChain narrowed = new DefaultSecurityFilterChain(chain.getRequestMatcher(), filters);
        narrowed.setBeanName(beanName);
        return narrowed;
    }

    /** Spring Security's metadata filter for the resource's own document only (RFC 9728 §3.1). */
    private static final class OwnDocumentOnly implements Filter {

        private final Filter metadata;

        private final GatehouseProtectedResource resource;

        OwnDocumentOnly(Filter metadata, GatehouseProtectedResource resource) {
            this.metadata = metadata;
            this.resource = resource;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request instanceof HttpServletRequest http && resource.isMetadataRequest(http)) {
                metadata.doFilter(request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
        }

        @Override
        public String toString() {
            return "OwnDocumentOnly[" + resource.metadataUrl() + "]";
        }
    }
}
