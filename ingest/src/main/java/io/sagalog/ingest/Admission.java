package io.sagalog.ingest;

import io.sagalog.engine.Definition;
import java.util.List;

/** Whether ingest takes new submits now. Must be cheap: it is asked on the event loop for every submit. */
@FunctionalInterface
public interface Admission {
    /** Null to admit; else why not (the detail of a 503). */
    String refusal();

    /** Null to admit a transaction of this definition; else why not. By default the same for every definition. */
    default String refusal(Definition definition) {
        return refusal();
    }

    static Admission always() {
        return () -> null;
    }

    /** Admits what every one of these admits; the first refusal is the answer. */
    static Admission all(Admission... checks) {
        List<Admission> list = List.of(checks);
        return new Admission() {
            @Override
            public String refusal() {
                for (Admission check : list) {
                    String refusal = check.refusal();
                    if (refusal != null) {
                        return refusal;
                    }
                }
                return null;
            }

            @Override
            public String refusal(Definition definition) {
                for (Admission check : list) {
                    String refusal = check.refusal(definition);
                    if (refusal != null) {
                        return refusal;
                    }
                }
                return null;
            }
        };
    }
}
