/** The Gatehouse operator command line ({@code java -jar auth-cli/target/gatehouse.jar}). */
@NullMarked
package dev.gatehouse.cli;

import org.jspecify.annotations.NullMarked;
