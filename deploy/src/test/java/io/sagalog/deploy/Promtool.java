package io.sagalog.deploy;

import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' promtool (Debian's prometheus package). Without it a test is skipped with one line saying how to get
 * it (a machine with only Java and Maven passes {@code mvn -B verify}), unless {@code -Dsagalog.promtool=required}:
 * CI passes that after running .ci/install-prometheus, so there a missing promtool fails instead of skipping.
 */
final class Promtool {
    private Promtool() {}

    record Result(int exitCode, String output) {}

    static Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String missing = "promtool is not installed; run .ci/install-prometheus (it runs apt-get install prometheus)";
        if ("required".equals(System.getProperty("sagalog.promtool"))) {
            fail(missing);
        }
        org.junit.jupiter.api.Assumptions.abort("skipped: " + missing);
        return null;
    }

    /** Runs promtool with these arguments in {@code dir}, {@code stdin} fed to it (or nothing). */
    static Result run(Path dir, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + args[0] + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), out);
    }
}
