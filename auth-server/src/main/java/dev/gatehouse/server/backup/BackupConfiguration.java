package dev.gatehouse.server.backup;

import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The online backup and its settings. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BackupProperties.class)
class BackupConfiguration {

    @Bean
    OnlineBackup onlineBackup(DataSource dataSource, BackupProperties properties, Clock clock) {
        return new OnlineBackup(dataSource, properties, clock);
    }
}
