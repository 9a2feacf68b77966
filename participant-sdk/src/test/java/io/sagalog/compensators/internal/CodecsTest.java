package io.sagalog.compensators.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class CodecsTest {
    @Test
    void shouldNameTheJarToAddWhenAPollFailsForAMissingCodec() {
        NoClassDefFoundError missing = new NoClassDefFoundError("com/github/luben/zstd/ZstdInputStreamNoFinalizer");

        assertThat(Codecs.explain(new KafkaException("fetch failed", missing), "sagalog.steps.hotels")).hasValueSatisfying(e -> {
            assertThat(e.getMessage()).contains("sagalog.steps.hotels holds zstd-compressed records")
                    .contains("com.github.luben:zstd-jni");
            assertThat(e.getCause()).isInstanceOf(KafkaException.class);
        });
        assertThat(Codecs.explain(new NoClassDefFoundError("net/jpountz/lz4/LZ4Factory"), "t"))
                .hasValueSatisfying(e -> assertThat(e.getMessage()).contains("at.yawk.lz4:lz4-java"));
        assertThat(Codecs.explain(new NoClassDefFoundError("com/example/Rooms"), "t")).isEmpty();
        assertThat(Codecs.explain(new KafkaException("broker gone"), "t")).isEmpty();
    }

    @Test
    void shouldRefuseAProducerCompressingWithACodecThatIsMissing() {
        // The SDK's classpath has none of the codecs (SdkClasspathTest); gzip is in the JDK.
        assertThatThrownBy(() -> Codecs.checkProducer(Map.of("compression.type", "zstd"), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("com.github.luben:zstd-jni");
        assertThatThrownBy(() -> Codecs.checkProducer(Map.of("compression.type", "Snappy"), getClass().getClassLoader()))
                .hasMessageContaining("org.xerial.snappy:snappy-java");
        Codecs.checkProducer(Map.of("compression.type", "gzip"), getClass().getClassLoader());
        Codecs.checkProducer(Map.of(), getClass().getClassLoader());
    }
}
