package dev.gatehouse.core.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Shows a test what an application without an optional library sees. It defines the classes under {@code own} itself
 * (main and test, read from the test class path), so they link against what it lets through; of the other classes it
 * refuses those {@code hidden} names and takes the rest from the test class path. A class that names a hidden type then fails
 * exactly when that code runs. (Spring's {@code FilteredClassLoader} hides classes from conditions only; the code
 * under test would still resolve them through the application class loader.)
 */
public final class HidingClassLoader extends ClassLoader {

    private final String own;
    private final Predicate<String> hidden;

    /**
     * Creates the loader.
     *
     * @param own the prefix of the classes this loader defines afresh, e.g. {@code dev.gatehouse.core.}
     * @param hidden which class names are refused
     */
    public HidingClassLoader(String own, Predicate<String> hidden) {
        super(HidingClassLoader.class.getClassLoader());
        this.own = Objects.requireNonNull(own, "own must not be null");
        this.hidden = Objects.requireNonNull(hidden, "hidden must not be null");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(own)) {
            if (hidden.test(name)) {
                throw new ClassNotFoundException(name + " (hidden by the test)");
            }
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] bytes = in.readAllBytes();
                    loaded = defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }
}
