package dev.gatehouse.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressesTests {

    @ParameterizedTest
    @CsvSource({
        "user@example.com, user@example.com",
        "First.Last+tag@Example.COM, First.Last+tag@example.com",
        "'  padded@example.org  ', padded@example.org",
        "o'brien@sub.example.co.uk, o'brien@sub.example.co.uk",
        "x@a-b.example, x@a-b.example"
    })
    void parseWhenWellFormedThenValidWithDomainLowerCased(String input, String expected) {
        assertThat(EmailAddresses.parse(input)).isEqualTo(new EmailAddresses.Valid(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plain",
                "@example.com",
                "user@",
                "two@@example.com",
                "a@b@example.com",
                ".dot@example.com",
                "dot.@example.com",
                "do..t@example.com",
                "user@localhost",
                "user@-example.com",
                "user@example-.com",
                "user@example..com",
                "user@example.123",
                "\"quoted\"@example.com",
                "user@[127.0.0.1]",
                "üser@example.com",
                "user@exämple.com",
                "sp ace@example.com"
            })
    void parseWhenMalformedThenRefused(String input) {
        assertThat(EmailAddresses.parse(input)).isEqualTo(new EmailAddresses.Invalid("mail.error.email.malformed"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"bell\u0007@example.com", "nl\n@example.com", "zw\u200b@example.com", "del\u007f@example.com"})
    void parseWhenControlOrFormatCharacterThenRefusedAsSuch(String input) {
        assertThat(EmailAddresses.parse(input)).isEqualTo(new EmailAddresses.Invalid("mail.error.email.control"));
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 300, 100_000})
    void parseWhenTooLongThenRefused(int localLength) {
        EmailAddresses.Parsed parsed = EmailAddresses.parse("a".repeat(localLength) + "@example.com");
        assertThat(parsed).isInstanceOf(EmailAddresses.Invalid.class);
        if (localLength > 254) {
            assertThat(parsed).isEqualTo(new EmailAddresses.Invalid("mail.error.email.too_long"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void parseWhenBlankThenMissing(String input) {
        assertThat(EmailAddresses.parse(input)).isEqualTo(new EmailAddresses.Invalid("mail.error.email.missing"));
        assertThat(EmailAddresses.parse(null)).isEqualTo(new EmailAddresses.Invalid("mail.error.email.missing"));
    }
}
