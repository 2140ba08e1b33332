package dev.gatehouse.server;

/**
 * Entry point of the authorization server. Until the auth-server issue lands this prints what exists and
 * how to use it, so the README's run command keeps its shape.
 */
public final class GatehouseServer {

    private GatehouseServer() {}

    /**
     * Prints the placeholder notice.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("""
                Gatehouse authorization server: not built yet (it arrives with the auth-server issue).

                What works today is auth-core's password hashing, through the operator CLI:
                  printf '%s' 'correct horse battery staple' | java -jar auth-cli/target/gatehouse.jar password hash
                  java -jar auth-cli/target/gatehouse.jar --help
                """);
    }
}
