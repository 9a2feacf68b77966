package io.sagalog.app.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE} of the commands whose options may come from a file and the environment. */
public final class ConfigOption {
    @Option(names = SettingNames.CONFIG_OPTION, paramLabel = "FILE",
            description = "Options not given as flags, from this file: one key=value a line, the key an option's long "
                    + "name without the dashes (max-delivery-delay=2s). Each option may also come from SAGALOG_<NAME> "
                    + "(SAGALOG_MAX_DELIVERY_DELAY); a flag wins over the environment, the environment over the file. "
                    + "'sagalog config print' shows what is in effect (default: SAGALOG_CONFIG).")
    Path file;
}
