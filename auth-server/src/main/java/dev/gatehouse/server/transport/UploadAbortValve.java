package dev.gatehouse.server.transport;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Gives the bounded body read a way to abandon a body it has given up on. After the response, Tomcat swallows
 * what is left of a request body (up to {@code max-swallow-size}) before closing, at the client's pace; it skips
 * that only when the connection is already in an error state, which a 408 reaches on a keep-alive HTTP/1.1
 * connection but not on HTTP/1.0. Tomcat's "cancelled upload" action ({@code DISABLE_SWALLOW_INPUT}) closes the
 * connection after the response without reading further; servlet code cannot reach it, so this valve hands it over
 * as a request attribute.
 */
final class UploadAbortValve extends ValveBase {

    /** The request attribute holding a {@link Runnable} that abandons the rest of the request body. */
    static final String ABANDON_BODY = UploadAbortValve.class.getName() + ".abandonBody";

    UploadAbortValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        request.setAttribute(ABANDON_BODY, (Runnable) () -> coyote.action(ActionCode.DISABLE_SWALLOW_INPUT, null));
        getNext().invoke(request, response);
    }
}
