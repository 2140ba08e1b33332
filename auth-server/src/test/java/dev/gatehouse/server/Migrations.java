package dev.gatehouse.server;

/**
 * Where the server's Flyway migrations live, as {@code application.yml} names them: one common set that every
 * database runs, plus the vendor's own deltas where the SQL differs. Tests that migrate a database by hand use
 * this so they run exactly what the server runs.
 */
public final class Migrations {

    private Migrations() {}

    /**
     * The Flyway locations for one vendor.
     *
     * @param vendor {@code h2} or {@code postgresql}, Spring Boot's {@code {vendor}} placeholder values
     * @return the common location followed by the vendor's
     */
    public static String[] locations(String vendor) {
        return new String[] {"classpath:db/migration/common", "classpath:db/migration/" + vendor};
    }
}
