package dev.gatehouse.server.transport;

import dev.gatehouse.core.password.PasswordHasher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.thymeleaf.ITemplateEngine;

/** Wires the transport limits: the bounded body read, the database-outage answer, the session limits and the
 * anonymous-session cap (the error page, {@link GatehouseErrorController}, is a scanned controller). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TransportProperties.class)
class TransportConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(TransportConfiguration.class);

    /** The largest body read into memory: that of the protocol request guard, far above any OAuth request. */
    static final long MAX_BODY_BYTES = 64 * 1024;

    /** First of all filters, so nothing reads a body at Tomcat's pace before it. */
    @Bean
    FilterRegistrationBean<BoundedRequestBodyFilter> boundedRequestBodyFilter(TransportProperties properties) {
        FilterRegistrationBean<BoundedRequestBodyFilter> registration = new FilterRegistrationBean<>(
                new BoundedRequestBodyFilter(MAX_BODY_BYTES, properties.requestBodyTimeout(), System::nanoTime));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * Database outages answered {@code 503} with {@code Retry-After}: among the first filters, outside the protocol
     * request guard and the rate limit filter ({@code HIGHEST_PRECEDENCE + 1}, whose client lookup may reach the
     * database), Spring Session ({@code Integer.MIN_VALUE + 50}) and Spring Security ({@code -100}), whose failures
     * it translates.
     */
    @Bean
    FilterRegistrationBean<DatabaseOutageFilter> databaseOutageFilter(ITemplateEngine templates) {
        FilterRegistrationBean<DatabaseOutageFilter> registration =
                new FilterRegistrationBean<>(new DatabaseOutageFilter(templates));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /**
     * The admission bound on password-checking requests, right after the rate limit filter ({@code
     * HIGHEST_PRECEDENCE + 1}) and the protocol guards, before Spring Session ({@code Integer.MIN_VALUE + 50}): a
     * refused request loads no session and reaches no sign-in code.
     */
    @Bean
    FilterRegistrationBean<PasswordAdmissionFilter> passwordAdmissionFilter(
            TransportProperties properties,
            PasswordHasher hasher,
            Environment environment,
            FilterRegistrationBean<DatabaseOutageFilter> outage) {
        int threads = environment.getProperty("server.tomcat.threads.max", Integer.class, 200);
        int configured = properties.maxPasswordChecksInFlight();
        int bound = maxPasswordChecksInFlight(configured, hasher.maxConcurrentHashes(), threads);
        if (configured > 0 && bound != configured) {
            LOG.warn(
                    "gatehouse.server.transport.max-password-checks-in-flight={} is not below the request threads"
                            + " (server.tomcat.threads.max={}): using {} so that other requests keep a thread",
                    configured,
                    threads,
                    bound);
        }
        FilterRegistrationBean<PasswordAdmissionFilter> registration =
                new FilterRegistrationBean<>(new PasswordAdmissionFilter(
                        bound, Objects.requireNonNull(outage.getFilter(), "the database outage filter")));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
        return registration;
    }

    /** The admission filter's meters, bound by the registry Boot's actuator keeps (none without one). */
    @Bean
    MeterBinder passwordAdmissionMeters(FilterRegistrationBean<PasswordAdmissionFilter> passwordAdmissionFilter) {
        PasswordAdmissionFilter filter =
                Objects.requireNonNull(passwordAdmissionFilter.getFilter(), "the password admission filter");
        return filter::bindTo; // not the filter itself: a bean of type Filter would be registered a second time
    }

    /**
     * The bound: the configured one (but below the request threads), else room for every hashing slot plus as many
     * callers waiting for one (a slot freed is taken at once, no thread idles), but never more than half the request
     * threads.
     */
    static int maxPasswordChecksInFlight(int configured, int hashingSlots, int requestThreads) {
        if (configured > 0) {
            // A bound at or above the request threads would let password checks take every thread: keep one free.
            return Math.max(1, Math.min(configured, requestThreads - 1));
        }
        return Math.max(1, Math.min(2 * hashingSlots, requestThreads / 2));
    }

    /** Meters of the hashing gate: the bound on Argon2 computations and how close a burst came to it. */
    @Bean
    MeterBinder passwordHashingMeters(PasswordHasher hasher) {
        return registry -> {
            Gauge.builder("gatehouse.password.hashes.in.flight", hasher, PasswordHasher::hashesInFlight)
                    .description("Password hash computations running")
                    .register(registry);
            Gauge.builder("gatehouse.password.hashes.in.flight.peak", hasher, PasswordHasher::peakHashesInFlight)
                    .description("The most password hash computations that ran at once since start")
                    .register(registry);
            Gauge.builder("gatehouse.password.hashes.max", hasher, PasswordHasher::maxConcurrentHashes)
                    .description(
                            "Password hash computations allowed at once (gatehouse.password.max-concurrent-hashes)")
                    .register(registry);
        };
    }

    @Bean
    SessionLimits sessionLimits() {
        return new SessionLimits();
    }

    /**
     * A new session starts with the anonymous lifetime: the default of the shared session store, applied after Spring
     * Boot's own customizer (which sets {@code spring.session.timeout}, else {@code server.servlet.session.timeout}).
     * Signing in raises it to {@code server.servlet.session.timeout} ({@link SessionLimits#signedInTimeout()}).
     */
    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> anonymousSessionTimeout(TransportProperties properties) {
        return repository -> repository.setDefaultMaxInactiveInterval(properties.anonymousSessionTimeout());
    }

    /**
     * On PostgreSQL, an attribute is added only to a session that still has its row. Each factor moves the sign-in to
     * a new session and deletes the old row (session fixation, {@link SessionLimits}); a request that loaded the old
     * session before and saves an attribute it added after breaks the attributes' foreign key. Spring Session ignores
     * the refused insert, but PostgreSQL has aborted the save's transaction, so the statements after it fail and that
     * request ends with an error page. With this statement the insert adds nothing and the save changes nothing. H2
     * keeps its transaction usable after the refused insert and keeps Spring Session's statement.
     */
    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> attributesOnlyForLiveSessions(DataSource dataSource) {
        boolean postgres = isPostgres(dataSource);
        return repository -> {
            if (postgres) {
                repository.setCreateSessionAttributeQuery(CREATE_SESSION_ATTRIBUTE_POSTGRESQL);
            }
        };
    }

    /**
     * A user's sessions are read whole (the sessions page, ending the others). Spring Session's query has no order, and
     * its reader joins consecutive rows of one session only: when the database returns the attribute rows of two
     * sessions interleaved (PostgreSQL may, depending on its plan and on where the rows lie), a session is read as two
     * partial copies and the later one, with only some of its attributes, is the one returned (the device noted at
     * sign-in went missing from the sessions page; spring-projects/spring-session#3452). Ordered by the session, each
     * one's rows are consecutive. On every database, so that no node depends on a plan.
     */
    @Bean
    SessionRepositoryCustomizer<JdbcIndexedSessionRepository> wholeSessionsByPrincipalName() {
        return repository -> repository.setListSessionsByPrincipalNameQuery(LIST_SESSIONS_BY_PRINCIPAL_NAME);
    }

    /** Spring Session's query with an order: each session's rows consecutive, as its reader expects. */
    static final String LIST_SESSIONS_BY_PRINCIPAL_NAME =
            "SELECT S.PRIMARY_ID, S.SESSION_ID, S.CREATION_TIME, S.LAST_ACCESS_TIME, S.MAX_INACTIVE_INTERVAL,"
                    + " SA.ATTRIBUTE_NAME, SA.ATTRIBUTE_BYTES FROM %TABLE_NAME% S"
                    + " LEFT JOIN %TABLE_NAME%_ATTRIBUTES SA ON S.PRIMARY_ID = SA.SESSION_PRIMARY_ID"
                    + " WHERE S.PRINCIPAL_NAME = ? ORDER BY S.SESSION_ID";

    /** Spring Session's parameters in its order (primary id, name, bytes); the session row is joined, not assumed. */
    static final String CREATE_SESSION_ATTRIBUTE_POSTGRESQL =
            "INSERT INTO %TABLE_NAME%_ATTRIBUTES (SESSION_PRIMARY_ID, ATTRIBUTE_NAME, ATTRIBUTE_BYTES)"
                    + " SELECT S.PRIMARY_ID, V.NAME, V.BYTES FROM (VALUES (?, ?, ?)) AS V (PRIMARY_ID, NAME, BYTES)"
                    + " JOIN %TABLE_NAME% S ON S.PRIMARY_ID = V.PRIMARY_ID";

    private static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the browser sessions would use", e);
        }
    }

    @Bean
    AnonymousSessionCap anonymousSessionCap(JdbcTemplate jdbc, TransportProperties properties) {
        return new AnonymousSessionCap(jdbc, properties.maxAnonymousSessions());
    }

    /** Lets the bounded body read close a connection without Tomcat swallowing the rest of a slow body. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> uploadAbortValve() {
        return factory -> factory.addContextValves(new UploadAbortValve());
    }
}
