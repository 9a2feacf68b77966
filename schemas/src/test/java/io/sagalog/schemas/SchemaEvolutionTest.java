package io.sagalog.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every wire schema must read what each of its earlier versions wrote, so records already in Kafka
 * (topics and changelogs) stay readable after an upgrade.
 */
class SchemaEvolutionTest {

    @TestFactory
    List<DynamicTest> shouldRecordTheCurrentSchemaAsTheNewestVersion() {
        return WireSchemas.TOP_LEVEL.stream().map(type -> DynamicTest.dynamicTest(type.getSimpleName(), () -> {
            Schema current = SpecificData.get().getSchema(type);
            List<Schema> history = SchemaHistory.versions(current.getName());
            assertThat(history).as("schema history of %s", current.getName()).isNotEmpty();
            Schema newest = history.get(history.size() - 1);
            assertThat(SchemaNormalization.parsingFingerprint64(newest))
                    .as("%s changed: check it reads v%d, then add it as history/%s/v%d.avsc:%n%s",
                            current.getName(), history.size(), current.getName(), history.size() + 1,
                            current.toString(true))
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        })).toList();
    }

    @TestFactory
    List<DynamicTest> shouldReadWhatEveryEarlierVersionWrote() {
        return WireSchemas.TOP_LEVEL.stream().flatMap(type -> {
            Schema current = SpecificData.get().getSchema(type);
            List<Schema> history = SchemaHistory.versions(current.getName());
            return java.util.stream.IntStream.range(0, history.size()).mapToObj(i -> DynamicTest.dynamicTest(
                    current.getName() + " reads v" + (i + 1), () -> assertReads(type, current, history.get(i))));
        }).toList();
    }

    private static <T extends SpecificRecord> void assertReads(Class<T> type, Schema reader, Schema writer)
            throws Exception {
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(compatibility.getType()).as(compatibility.getDescription())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);

        AvroSerde<T> serde = AvroSerde.of(type);
        BinaryMessageEncoder<GenericRecord> oldWriter = new BinaryMessageEncoder<>(GenericData.get(), writer);
        int decoded = 0;
        for (Object datum : new RandomData(writer, 50, 42L)) {
            GenericRecord written = (GenericRecord) datum;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            oldWriter.encode(written, out);
            T read = serde.decode(out.toByteArray());
            // Every field the old writer had keeps its value in the new reader.
            for (Schema.Field field : writer.getFields()) {
                if (reader.getField(field.name()) != null && field.schema().getType() != Schema.Type.UNION
                        && field.schema().getType() != Schema.Type.RECORD && field.schema().getType() != Schema.Type.ARRAY) {
                    assertThat(String.valueOf(read.get(reader.getField(field.name()).pos())))
                            .as("%s.%s", reader.getName(), field.name())
                            .isEqualTo(String.valueOf(written.get(field.name())));
                }
            }
            decoded++;
        }
        assertThat(decoded).isEqualTo(50);
    }

    @Test
    void shouldRefuseAnIncompatibleChangeSoTheCheckAboveIsNotVacuous() {
        Schema writer = SchemaHistory.versions("StepRequest").get(0);
        String withNewRequiredField = writer.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"tenant\",\"type\":\"string\"},");
        Schema reader = new Schema.Parser().parse(withNewRequiredField);

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }
}
