package dev.gatehouse.cli;

import dev.gatehouse.core.GatehouseException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator's command line. Exit codes everywhere: 0 success or match, 1 a negative answer (no match,
 * refused, deny), 2 an error (bad input, with a message on stderr). Secrets are read from standard input,
 * never from arguments, so they stay out of shell history and process listings.
 */
@Command(
        name = "gatehouse",
        mixinStandardHelpOptions = true,
        versionProvider = GatehouseCli.Version.class,
        description = "Gatehouse operator command line.",
        subcommands = {
            PasswordCommand.class,
            TotpCommand.class,
            JwtCommand.class,
            JwksCommand.class,
            PolicyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class GatehouseCli implements Runnable {

    /** Success, or a positive answer. */
    public static final int OK = 0;
    /** A negative answer: no match, refused, deny. */
    public static final int NO = 1;
    /** An error: bad input or arguments; a message goes to stderr. */
    public static final int ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs the CLI and exits with its exit code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(execute(System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the CLI against the given streams; for tests and embedding.
     *
     * @param in standard input (secrets are read from here)
     * @param out standard output
     * @param err standard error
     * @param args arguments
     * @return the exit code
     */
    public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        return execute(in, out, err, System::getenv, args);
    }

    /**
     * Runs the CLI against the given streams and environment; for tests and embedding.
     *
     * @param in standard input (secrets are read from here)
     * @param out standard output
     * @param err standard error
     * @param environment environment lookup (the master key comes from {@code GATEHOUSE_MASTER_KEY})
     * @param args arguments
     * @return the exit code
     */
    public static int execute(
            InputStream in,
            PrintWriter out,
            PrintWriter err,
            Function<String, @Nullable String> environment,
            String... args) {
        CommandLine cli = new CommandLine(new GatehouseCli(), new Factory(in, environment));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> ERROR);
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ERROR;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof GatehouseException g) {
                err.println("error (" + g.code() + "): " + g.getMessage());
            } else if (ex instanceof CliException) {
                err.println("error: " + ex.getMessage());
            } else {
                err.println("error: " + ex.getClass().getSimpleName()
                        + " (no details shown, to keep secrets out of output)");
            }
            return ERROR;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Gives every command access to standard input. */
    static final class Factory implements CommandLine.IFactory {
        private final InputStream in;
        private final Function<String, @Nullable String> environment;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(InputStream in, Function<String, @Nullable String> environment) {
            this.in = in;
            this.environment = environment;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == JwtCommand.class) {
                return cls.cast(new JwtCommand(new SecretInput(in), environment));
            }
            if (cls == PasswordCommand.class) {
                return cls.cast(new PasswordCommand(new SecretInput(in)));
            }
            return fallback.create(cls);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GatehouseCli.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse " + (v == null ? "dev" : v)};
        }
    }
}
