/** Example web client: signs users in against Gatehouse (authorization code flow with PKCE). */
@NullMarked
package dev.gatehouse.examples.web;

import org.jspecify.annotations.NullMarked;
