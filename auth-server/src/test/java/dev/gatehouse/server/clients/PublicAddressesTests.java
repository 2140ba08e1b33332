package dev.gatehouse.server.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one public-address check of URLs called on a dynamically registered client's behalf ({@code jwks_uri} and
 * {@code backchannel_logout_uri}): the stricter union of the rules the two had (review 2 findings 3 and 7). Literals
 * and {@code .invalid} names only (RFC 6761 §6.4: never resolves), so nothing depends on a DNS server.
 */
class PublicAddressesTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0.0",
                "0.1.2.3", // this network
                "127.0.0.1",
                "10.0.0.1",
                "172.16.0.1",
                "192.168.1.1",
                "169.254.169.254", // link-local: cloud metadata
                "100.64.0.1", // shared CGNAT
                "192.0.0.8", // IETF protocol assignments
                "198.18.0.1", // benchmarking
                "198.19.255.255",
                "240.0.0.1", // reserved
                "255.255.255.255", // broadcast
                "224.0.0.1", // multicast
                "::",
                "::1",
                "fe80::1",
                "fd00::1", // unique local
                "fec0::1", // site-local
                "ff02::1", // multicast
                "100::1", // discard-only
                "::a00:1", // IPv4-compatible 10.0.0.1
                "::808:808", // IPv4-compatible, even of a public address
                "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
                "64:ff9b::808:808", // NAT64, even of a public address
                "64:ff9b:1::1", // local-use NAT64
                "2002:a00:1::1", // 6to4 through 10.0.0.1
                "2002:808:808::1", // 6to4, even through a public address
                "2001:0:4136:e378:8000:63bf:3fff:fdd2" // Teredo
            })
    void refusedAddressWhenNotPublicOrCarryingAnIpv4AddressThenTrue(String literal) throws Exception {
        assertThat(PublicAddresses.refusedAddress(InetAddress.getByName(literal)))
                .as(literal)
                .isTrue();
    }

    @Test
    void refusedAddressWhenIpv4MappedBuiltAsIpv6ThenTrue() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 8;
        mapped[13] = 8;
        mapped[14] = 8;
        mapped[15] = 8;
        assertThat(PublicAddresses.refusedAddress(java.net.Inet6Address.getByAddress(null, mapped, -1)))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "93.184.215.14",
                "100.128.0.1", // just past 100.64/10
                "198.20.0.1", // just past 198.18/15
                "192.0.2.1", // documentation, but routable in practice: not refused by these rules
                "2606:4700:4700::1111",
                "2001:4860:4860::8888", // 2001:4860::, not Teredo
                "64:ff9b:2::1" // beyond local-use NAT64
            })
    void refusedAddressWhenPublicThenFalse(String literal) throws Exception {
        assertThat(PublicAddresses.refusedAddress(InetAddress.getByName(literal)))
                .as(literal)
                .isFalse();
    }

    @Test
    void refusedHostWhenPoolSaturatedThenResolverBusyNotTimeout() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        PublicAddresses.Resolver resolver = new PublicAddresses.Resolver("test-resolve", 1, 0, name -> {
            started.countDown();
            unblock.await();
            return new InetAddress[] {InetAddress.getByName("93.184.215.14")};
        });
        Thread blocked = new Thread(() -> resolver.refusedHost("slow.example"));
        blocked.start();
        try {
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(resolver.refusedHost("other.example")).contains(PublicAddresses.RESOLVER_BUSY);
            assertThat(PublicAddresses.DELIVERY.refusedHost("93.184.215.14"))
                    .as("another caller's pool is not affected")
                    .isEmpty();
        } finally {
            unblock.countDown();
            blocked.join(10_000);
        }
    }

    @Test
    void refusedHostWhenLiteralThenJudgedWithoutLookup() {
        assertThat(PublicAddresses.refusedHost("93.184.215.14")).isEmpty();
        assertThat(PublicAddresses.refusedHost("[2606:4700:4700::1111]")).isEmpty();
        assertThat(PublicAddresses.refusedHost("[fd00::1]")).contains(PublicAddresses.NOT_PUBLIC);
        assertThat(PublicAddresses.refusedHost("localhost")).contains(PublicAddresses.NOT_PUBLIC);
    }

    @Test
    void refusedHostWhenNameDoesNotResolveThenRefused() {
        assertThat(PublicAddresses.refusedHost("keys.invalid")).isPresent();
        assertThat(PublicAddresses.refusedHost("")).contains(PublicAddresses.UNRESOLVED);
    }

    @Test
    void publicAddressWhenUnresolvableOrPrivateThenFalseAndPublicLiteralThenTrue() {
        assertThat(PublicAddresses.publicAddress(URI.create("https://keys.invalid/jwks")))
                .isFalse();
        assertThat(PublicAddresses.publicAddress(URI.create("https://[64:ff9b::808:808]/jwks")))
                .isFalse();
        assertThat(PublicAddresses.publicAddress(URI.create("https://93.184.215.14/jwks")))
                .isTrue();
        assertThat(PublicAddresses.publicAddress(URI.create("urn:x"))).isFalse();
    }
}
