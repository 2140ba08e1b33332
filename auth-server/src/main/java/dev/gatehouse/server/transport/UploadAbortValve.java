package dev.gatehouse.server.transport;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Lets the bounded body read abandon a body it has given up on. After the response, Tomcat swallows what is left of
 * a request body (up to {@code max-swallow-size}) before closing, at the client's pace; it skips that only when the
 * connection is already in an error state, which a 408 reaches on a keep-alive HTTP/1.1 connection but not on
 * HTTP/1.0. When the request carries {@link #ABANDON_BODY}, this valve takes Tomcat's "cancelled upload" action
 * ({@code DISABLE_SWALLOW_INPUT}: close after the response, read nothing more) once the application has answered,
 * and, when the application has answered, marks that answer as the error report, so that Tomcat's error page
 * does not replace it. Servlet code cannot
 * reach either; hence a valve.
 */
final class UploadAbortValve extends ValveBase {

    /** Request attribute: set (to anything) by the application to have the rest of the body abandoned. */
    static final String ABANDON_BODY = UploadAbortValve.class.getName() + ".abandonBody";

    UploadAbortValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        getNext().invoke(request, response);
        if (request.getAttribute(ABANDON_BODY) != null) {
            // Either the application has answered (its 408/400 is the report), or Tomcat has flagged a failed read
            // and its error page is still to come after this valve.
            boolean answered = !response.isErrorReportRequired();
            request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
            if (answered) {
                response.setErrorReported();
            }
        }
    }
}
