package dev.gatehouse.server.pages;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.FileTemplateResolver;
import org.thymeleaf.templateresolver.ITemplateResolver;

/**
 * Wires the pages' shared parts: the branding bean templates read ({@link GatehouseUi}), the language
 * ({@link UiLocaleResolver} and its {@link UiLocalesFilter}), the message bundles ({@code spring.messages.basename},
 * the override directory's first) and, when {@code gatehouse.server.ui.directory} is set, its templates (a
 * {@link FileTemplateResolver} before Spring Boot's classpath one, falling through when a file does not exist) and
 * assets ({@code /assets/**} from its {@code assets/} first).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(UiProperties.class)
class PagesConfiguration implements WebMvcConfigurer {

    /** The bundles when {@code spring.messages.basename} is not set. */
    private static final List<String> BUNDLES = List.of("i18n/pages", "i18n/account", "i18n/mail");

    /** The prefix of every {@code request_uri} Spring Authorization Server issues (RFC 9126 §2.2). */
    private static final String REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:";

    private final UiProperties properties;

    PagesConfiguration(UiProperties properties) {
        this.properties = properties;
    }

    @Bean(GatehouseUi.BEAN_NAME)
    GatehouseUi gatehouseUi() {
        return new GatehouseUi(properties);
    }

    @Bean(DispatcherServlet.LOCALE_RESOLVER_BEAN_NAME)
    UiLocaleResolver localeResolver(OAuth2AuthorizationService authorizations) {
        requireBundles(properties);
        return new UiLocaleResolver(properties.supportedLocales(), pushedRequests(authorizations));
    }

    /**
     * Every configured language but English (the base bundle) has its {@code pages} bundle, built in or in the override
     * directory: a language without one would be announced in {@code lang} while showing English.
     */
    static void requireBundles(UiProperties properties) {
        for (String language : properties.locales()) {
            if (language.equals("en")) {
                continue;
            }
            String file = "i18n/pages_" + language + ".properties";
            @Nullable Path directory = properties.directory();
            boolean builtIn = PagesConfiguration.class.getClassLoader().getResource(file) != null;
            boolean overridden = directory != null && java.nio.file.Files.isReadable(directory.resolve(file));
            if (!builtIn && !overridden) {
                throw new IllegalStateException("gatehouse.server.ui.locales names " + language + ", but there is no "
                        + file + (directory == null ? "" : " in gatehouse.server.ui.directory") + " or built in: add"
                        + " the translated bundles (pages, account, mail) or remove the language");
            }
        }
    }

    /**
     * {@code ui_locales} of a pushed authorization request (RFC 9126), found as Spring Authorization Server finds it: by
     * the part of {@code request_uri} after its prefix, as the stored authorization's state.
     */
    static UiLocaleResolver.PushedRequests pushedRequests(OAuth2AuthorizationService authorizations) {
        OAuth2TokenType state = new OAuth2TokenType(OAuth2ParameterNames.STATE);
        return requestUri -> {
            if (!requestUri.startsWith(REQUEST_URI_PREFIX)) {
                return null;
            }
            @Nullable
            OAuth2Authorization authorization =
                    authorizations.findByToken(requestUri.substring(REQUEST_URI_PREFIX.length()), state);
            @Nullable
            OAuth2AuthorizationRequest request = authorization == null
                    ? null
                    : authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
            return request != null
                            && request.getAdditionalParameters().get(UiLocaleResolver.UI_LOCALES) instanceof String s
                    ? s
                    : null;
        };
    }

    /** Inside Spring Session's filter (the session it remembers in is the shared one), before Spring Security's. */
    @Bean
    FilterRegistrationBean<UiLocalesFilter> uiLocalesFilter(UiLocaleResolver localeResolver) {
        FilterRegistrationBean<UiLocalesFilter> registration =
                new FilterRegistrationBean<>(new UiLocalesFilter(localeResolver));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }

    /** Replaces Spring Boot's message source (same bundles), so the override directory's texts come first. */
    @Bean(name = "messageSource")
    MessageSource messageSource(Environment environment) {
        List<String> bundles = Binder.get(environment)
                .bind("spring.messages.basename", Bindable.listOf(String.class))
                .orElse(BUNDLES);
        return new OverridingMessageSource(basenames(properties.directory(), bundles));
    }

    /** Each bundle from the override directory's {@code i18n/} first (when set), then from the classpath. */
    static List<String> basenames(@Nullable Path directory, List<String> bundles) {
        List<String> basenames = new ArrayList<>();
        for (String bundle : bundles) {
            String name = bundle.strip();
            if (name.startsWith("classpath:")) {
                name = name.substring("classpath:".length());
            }
            if (directory != null) {
                String file = name.substring(name.lastIndexOf('/') + 1);
                basenames.add("file:" + directory.resolve("i18n").resolve(file));
            }
            basenames.add("classpath:" + name);
        }
        return basenames;
    }

    /** The override directory's templates, before Spring Boot's (whose order is unset: last). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("gatehouse.server.ui.directory")
    ITemplateResolver overrideTemplateResolver() {
        FileTemplateResolver resolver = new FileTemplateResolver();
        resolver.setPrefix(
                java.util.Objects.requireNonNull(properties.directory()).resolve("templates") + "/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCheckExistence(true);
        resolver.setCacheable(true);
        resolver.setOrder(0);
        return resolver;
    }

    /** {@code /assets/**}: the override directory's {@code assets/} first, then the built-in ones. */
    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        @Nullable Path directory = properties.directory();
        if (directory != null) {
            registry.addResourceHandler("/assets/**")
                    .addResourceLocations(directory.resolve("assets").toUri().toString(), "classpath:/static/assets/");
        }
    }
}
