package io.sagalog.compensators.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * kafka-clients' compression codecs, which the SDK leaves out of its dependencies: Sagalog's producers (the engine's,
 * the worker's) do not compress, so the step topics hold uncompressed records and the codecs' jars (zstd-jni alone is
 * 7 MB of native libraries) would never be used. A deployment that compresses anyway ({@code compression.type} in a
 * node's {@code --kafka-config}, or on the step topics) needs the codec's jar beside the SDK; this says so by name
 * instead of a bare {@code NoClassDefFoundError}.
 */
public enum Codecs {
    ZSTD("zstd", "com/github/luben/zstd", "com.github.luben.zstd.Zstd", "com.github.luben:zstd-jni"),
    LZ4("lz4", "net/jpountz", "net.jpountz.lz4.LZ4Factory", "at.yawk.lz4:lz4-java"),
    SNAPPY("snappy", "org/xerial/snappy", "org.xerial.snappy.Snappy", "org.xerial.snappy:snappy-java");

    private final String type;
    private final String classPath;
    private final String probeClass;
    private final String artifact;

    Codecs(String type, String classPath, String probeClass, String artifact) {
        this.type = type;
        this.classPath = classPath;
        this.probeClass = probeClass;
        this.artifact = artifact;
    }

    /** The Maven coordinates (without version: use the one kafka-clients names) of the codec's jar. */
    public String artifact() {
        return artifact;
    }

    /**
     * Explains an error met while polling {@code topic} if a codec missing from the classpath caused it.
     *
     * @return the error to report instead, naming the codec and the jar to add
     */
    public static Optional<IllegalStateException> explain(Throwable error, String topic) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) {
                String missing = String.valueOf(t.getMessage()).replace('.', '/');
                for (Codecs codec : values()) {
                    if (missing.contains(codec.classPath)) {
                        return Optional.of(new IllegalStateException("topic " + topic + " holds " + codec.type
                                + "-compressed records, and the " + codec.type + " codec is not on this worker's "
                                + "classpath: add a dependency on " + codec.artifact + " (the version kafka-clients "
                                + "names), or stop compressing the step topics", error));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Refuses a producer setting {@code compression.type} to a codec whose jar is missing, when the worker starts
     * rather than at its first result.
     */
    public static void checkProducer(Map<?, ?> producerConfig, ClassLoader loader) {
        Object type = producerConfig.get("compression.type");
        if (type == null) {
            return;
        }
        for (Codecs codec : values()) {
            if (codec.type.equals(type.toString().trim().toLowerCase(Locale.ROOT)) && !present(codec, loader)) {
                throw new IllegalArgumentException("compression.type " + codec.type + " needs the " + codec.type
                        + " codec, which the participant SDK does not bring: add a dependency on " + codec.artifact
                        + " (the version kafka-clients names), or leave compression.type unset");
            }
        }
    }

    static boolean present(Codecs codec, ClassLoader loader) {
        try {
            Class.forName(codec.probeClass, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
