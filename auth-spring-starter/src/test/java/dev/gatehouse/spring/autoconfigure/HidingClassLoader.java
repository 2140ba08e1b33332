package dev.gatehouse.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;

/**
 * Loads the starter's own classes afresh and hides a package from them, so a test sees what an application
 * without that optional library sees: a class that names a hidden type fails when that code runs. (Spring's
 * {@code FilteredClassLoader} hides classes from conditions only; the starter's classes still resolve through
 * the application class loader.)
 */
final class HidingClassLoader extends ClassLoader {

    private static final String OWN = "dev.gatehouse.spring.";

    private final String hidden;

    HidingClassLoader(String hiddenPackage) {
        super(HidingClassLoader.class.getClassLoader());
        this.hidden = hiddenPackage;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(hidden)) {
            throw new ClassNotFoundException(name);
        }
        if (!name.startsWith(OWN)) {
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
