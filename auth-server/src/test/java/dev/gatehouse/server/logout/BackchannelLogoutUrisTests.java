package dev.gatehouse.server.logout;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public-address check of dynamically registered back-channel logout URIs: IPv6 ranges that carry or reach an
 * IPv4 address are judged by that address (review finding 7). Literals only: nothing is resolved.
 */
class BackchannelLogoutUrisTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
                "64:ff9b::a00:1", // NAT64 of 10.0.0.1
                "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
                "64:ff9b:1::1", // local-use NAT64
                "2002:a00:1::1", // 6to4 through 10.0.0.1
                "2002:7f00:1::1", // 6to4 through 127.0.0.1
                "2002:c0a8:101::1", // 6to4 through 192.168.1.1
                "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
                "::a00:1", // IPv4-compatible 10.0.0.1
                "::a9fe:a9fe", // IPv4-compatible 169.254.169.254
                "100::1", // discard-only
                "fd00::1",
                "::ffff:10.0.0.1",
                "169.254.169.254",
                "100.64.0.1"
            })
    void publicAddressWhenPrivateOrEmbeddingPrivateIpv4ThenFalse(String literal) throws Exception {
        assertThat(BackchannelLogoutUris.publicAddress(InetAddress.getByName(literal)))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "64:ff9b::808:808", // NAT64 of 8.8.8.8
                "2002:808:808::1", // 6to4 through 8.8.8.8
                "2606:4700:4700::1111",
                "2001:4860:4860::8888",
                "8.8.8.8"
            })
    void publicAddressWhenPublicThenTrue(String literal) throws Exception {
        assertThat(BackchannelLogoutUris.publicAddress(InetAddress.getByName(literal)))
                .isTrue();
    }
}
