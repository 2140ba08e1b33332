package dev.gatehouse.benchmarks.sasdefault;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Spring Authorization Server exactly as Boot auto-configures it; the client is in application.yml. */
@SpringBootApplication
public class SasDefaultPeer {

    /**
     * Starts the peer.
     *
     * @param args Boot arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(SasDefaultPeer.class, args);
    }
}
