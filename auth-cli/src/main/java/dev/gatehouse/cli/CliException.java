package dev.gatehouse.cli;

/** A usage error found while running a command; its message is printed on stderr with exit code 2. */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
