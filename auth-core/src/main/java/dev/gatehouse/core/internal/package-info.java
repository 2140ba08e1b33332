/**
 * Not API: helpers shared by the capability packages. May change in any release without notice.
 */
@NullMarked
package dev.gatehouse.core.internal;

import org.jspecify.annotations.NullMarked;
