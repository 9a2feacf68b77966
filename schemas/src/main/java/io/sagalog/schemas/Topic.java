package io.sagalog.schemas;

import org.apache.avro.specific.SpecificRecord;

/** A Kafka topic with the serde of its values; keys are always the transaction id as a UTF-8 string. */
public record Topic<V extends SpecificRecord>(String name, AvroSerde<V> serde) {}
