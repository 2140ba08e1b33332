package dev.gatehouse.core.password;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Published bcrypt vectors: Openwall crypt_blowfish wrapper.c ($2a$), jBCrypt TestBCrypt ($2a$), Spring
 * Security BCryptTests ($2b$ and $2y$), pyca/bcrypt ($2b$).
 */
class BcryptVectorsTests {

    private final PasswordHasher hasher = PasswordHasher.defaults();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // Openwall crypt_blowfish wrapper.c
                "U*U|$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "U*U*|$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK",
                "U*U*U|$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a",
                "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789|$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
                // jBCrypt TestBCrypt
                "a|$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
                "abc|$2a$08$Ro0CUfOqk6cXEKf3dyaM7OhSCvnwM9s4wIX9JeLapehKK5YdLxKcm",
                "abcdefghijklmnopqrstuvwxyz|$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq",
                "'~!@#$%^&*()      ~!@#$%^&*()PNBFRD'|$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO",
                // Spring Security BCryptTests
                "a|$2b$06$ehKGYiS4wt2HAr7KQXS5z.OaRjB4jHO7rBHJKlGXbqEH3QVJfO7iO",
                "abc|$2b$06$5FyQoicpbox1xSHFfhhdXuR2oxLpO1rYsQh5RTkI/9.RIjtoF0/ta",
                "abcdefghijklmnopqrstuvwxyz|$2b$06$O8E89AQPj1zJQA05YvIAU.hMpj25BXri1bupl/Q7CJMlpLwZDNBoO",
                "'~!@#$%^&*()      ~!@#$%^&*()PNBFRD'|$2b$06$FGWA8OlY6RtQhXBXuCJ8WusVipRI15cWOgJK8MYpBHEkktMfbHRIG",
                "a|$2y$06$LUdD6/aD0e/UbnxVAVbvGuUmIoJ3l/OK94ThhadpMWwKC34LrGEey",
                "abc|$2y$06$ACfku9dT6.H8VjdKb8nhluaoBmhJyK7GfoNScEfOfrJffUxoUeCjK",
                "abcdefghijklmnopqrstuvwxyz|$2y$06$34MG90ZLah8/ZNr3ltlHCuz6bachF8/3S5jTuzF1h2qg2cUk11sFW",
                "'~!@#$%^&*()      ~!@#$%^&*()PNBFRD'|$2y$06$sYDFHqOcXTjBgOsqC0WCKeMd3T1UhHuWQSxncLGtXDLMrcE6vFDti",
                // pyca/bcrypt
                "Kk4DQuMMfZL9o|$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
                "9IeRXmnGxMYbs|$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy",
            })
    void verifyWhenPublishedVectorThenMatchesAndAsksForRehash(String password, String hash) {
        Verification v = hasher.verify(password, hash);

        assertThat(v.matched()).isTrue();
        // Cost below 12 and not Argon2id: the policy has moved on.
        assertThat(v.needsRehash()).isTrue();
        assertThat(hasher.verify(password + "!", hash).matched()).isFalse();
    }

    @Test
    void verifyWhenPasswordLongerThan72BytesThenRefusesRatherThanTruncate() {
        // wrapper.c: this hash is of the first 72 bytes; the 98-byte password "matches" in truncating
        // implementations. Gatehouse refuses: every password sharing the 72-byte prefix would sign in.
        String hash = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
        String first72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        assertThat(hasher.verify(first72, hash).matched()).isTrue();
        assertThat(hasher.verify(first72 + "chars after 72 are ignored", hash).matched())
                .isFalse();
    }

    @Test
    void verifyWhenEmptyPasswordThenNeverMatches() {
        // jBCrypt: "" -> this hash. An empty password is never a valid credential here.
        assertThat(hasher.verify("", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")
                        .matched())
                .isFalse();
    }
}
