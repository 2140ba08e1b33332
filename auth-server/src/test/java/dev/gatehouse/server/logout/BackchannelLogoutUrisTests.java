package dev.gatehouse.server.logout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dynamically registered client's back-channel logout URI is judged by the public-address rules shared with key
 * fetches ({@code PublicAddresses}, tested there): an address those refuse is refused here too, the stricter rules
 * included (an IPv6 form carrying any IPv4 address, reserved IPv4 ranges). An operator's client may name them.
 * Literals only: nothing is resolved.
 */
class BackchannelLogoutUrisTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://[64:ff9b::a9fe:a9fe]/l", // NAT64 of 169.254.169.254
                "https://[64:ff9b::808:808]/l", // NAT64, even of a public address
                "https://[2002:808:808::1]/l", // 6to4, even through a public address
                "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/l", // Teredo
                "https://[::a00:1]/l", // IPv4-compatible 10.0.0.1
                "https://[100::1]/l", // discard-only
                "https://[fd00::1]/l",
                "https://169.254.169.254/l",
                "https://100.64.0.1/l",
                "https://192.0.0.8/l",
                "https://198.18.0.1/l",
                "https://240.0.0.1/l"
            })
    void problemWhenDynamicAndAddressNotPublicThenRefusedButOperatorMayNameIt(String uri) {
        assertThat(BackchannelLogoutUris.problem(uri, true)).as(uri).isPresent();
        assertThat(BackchannelLogoutUris.problem(uri, false)).as(uri).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://8.8.8.8/l", "https://[2606:4700:4700::1111]/l", "https://93.184.215.14/l"})
    void problemWhenDynamicAndAddressPublicThenAccepted(String uri) {
        assertThat(BackchannelLogoutUris.problem(uri, true)).as(uri).isEmpty();
    }
}
