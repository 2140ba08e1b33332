/** Helpers shared by the policy engines: reading YAML/JSON documents safely. Not API. */
@NullMarked
package dev.gatehouse.core.policy.internal;

import org.jspecify.annotations.NullMarked;
