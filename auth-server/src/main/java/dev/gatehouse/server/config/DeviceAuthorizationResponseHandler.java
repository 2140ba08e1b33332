package dev.gatehouse.server.config;

import dev.gatehouse.server.tokens.DevicePolling;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.endpoint.OAuth2DeviceAuthorizationResponse;
import org.springframework.security.oauth2.core.http.converter.OAuth2DeviceAuthorizationResponseHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContext;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The device authorization response (RFC 8628 §3.2) as Spring Authorization Server writes it, plus {@code interval}
 * ({@link DevicePolling#INTERVAL}, the minimum time between polls that {@link DevicePolling} enforces with {@code
 * slow_down}). The verification URIs are built from the issuer (the configured {@code gatehouse.token.issuer}), never from
 * the request's {@code Host} header.
 */
final class DeviceAuthorizationResponseHandler implements AuthenticationSuccessHandler {

    private final HttpMessageConverter<OAuth2DeviceAuthorizationResponse> converter =
            new OAuth2DeviceAuthorizationResponseHttpMessageConverter();

    @Override
    public void onAuthenticationSuccess(
            HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        OAuth2DeviceAuthorizationRequestAuthenticationToken device =
                (OAuth2DeviceAuthorizationRequestAuthenticationToken) authentication;
        AuthorizationServerContext context = AuthorizationServerContextHolder.getContext();
        String verificationUri = UriComponentsBuilder.fromUriString(context.getIssuer())
                .path(context.getAuthorizationServerSettings().getDeviceVerificationEndpoint())
                .build()
                .toUriString();
        String verificationUriComplete = UriComponentsBuilder.fromUriString(verificationUri)
                .queryParam("user_code", device.getUserCode().getTokenValue())
                .build()
                .toUriString();
        OAuth2DeviceAuthorizationResponse body = OAuth2DeviceAuthorizationResponse.with(
                        device.getDeviceCode(), device.getUserCode())
                .verificationUri(verificationUri)
                .verificationUriComplete(verificationUriComplete)
                .interval(DevicePolling.INTERVAL.toSeconds())
                .build();
        converter.write(body, null, new ServletServerHttpResponse(response));
    }
}
