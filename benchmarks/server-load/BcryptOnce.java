import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Prints the bcrypt hash (Spring Security's default strength 10) of its argument, for the SAS-default peer. */
public class BcryptOnce {
    public static void main(String[] args) {
        System.out.print(new BCryptPasswordEncoder().encode(args[0]));
    }
}
