package io.sagalog.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every schema version Sagalog ever wrote for a record type, oldest first.
 *
 * <p>Versions live as resources {@code io/sagalog/schemas/history/<RecordName>/v<N>.avsc}. They ship in the
 * jar because readers need them at run time: single-object encoding puts only the writer schema's
 * fingerprint in each record, and a decoder can only resolve fingerprints it was told about.
 * {@code SchemaEvolutionTest} fails when a schema changes without a new version here.
 */
public final class SchemaHistory {
    private static final String ROOT = "/io/sagalog/schemas/history/";

    private SchemaHistory() {}

    /** All versions of the named record type, oldest first; empty when none were recorded. */
    public static List<Schema> versions(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String resource = ROOT + recordName + "/v" + v + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema history " + resource, e);
            }
        }
    }
}
