package dev.gatehouse.spring.jdbc;

import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The JDBC stores on H2 (the auth-server's embedded default). */
class H2JdbcStoresTests extends JdbcStoresContract {

    private static final DataSource DATA_SOURCE =
            new DriverManagerDataSource("jdbc:h2:mem:gatehouse-stores;DB_CLOSE_DELAY=-1", "sa", "");

    @Override
    DataSource dataSource() {
        return DATA_SOURCE;
    }
}
