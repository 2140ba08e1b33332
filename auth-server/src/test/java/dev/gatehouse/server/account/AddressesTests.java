package dev.gatehouse.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The text form of RFC 5952 §4, with its own examples. */
class AddressesTests {

    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "2001:0db8:0:0:0:0:2:1, 2001:db8::2:1", // §4.2.1 leading zeros, §4.2.2 longest run
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // §4.2.2: one zero group is not shortened
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", // §4.2.3: the longest run
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // §4.2.3: the first of equal runs
        "2001:DB8:0:0:0:0:0:0, 2001:db8::", // §4.3: lower case; a run at the end
        "fe80:0:0:0:0:0:0:1, fe80::1",
        "127.0.0.1, 127.0.0.1",
        "not-an-address, not-an-address",
        "1:2:3:4:5:6:7:12345, 1:2:3:4:5:6:7:12345"
    })
    void displayWhenAddressGivenThenRfc5952TextOrUnchanged(String address, String expected) {
        assertThat(Addresses.display(address)).isEqualTo(expected);
    }
}
