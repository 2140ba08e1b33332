/** Audit events: what happened, to whom, by whom, with which outcome; never a secret. */
@NullMarked
package dev.gatehouse.server.audit;

import org.jspecify.annotations.NullMarked;
