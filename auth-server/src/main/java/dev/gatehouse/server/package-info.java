/** The Gatehouse OAuth 2.1 / OpenID Connect authorization server. */
@NullMarked
package dev.gatehouse.server;

import org.jspecify.annotations.NullMarked;
