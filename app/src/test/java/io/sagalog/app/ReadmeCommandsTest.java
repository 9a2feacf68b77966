package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Every command in README.md (and docs/performance.md) that a reader is told to run still parses and points at things
 * that exist. The convention, stated in README.md: a {@code ```sh} block is commands to run, {@code ```text} is output
 * or a drawing, {@code ```java} is a code sample; a README block without a language fails here, so none escapes.
 *
 * <p>What is checked, command by command (nothing here starts a node, a broker or a bench: those are the slow
 * commands, and they run in the integration tests and in CI, see README "Tests"):
 * <ul>
 *   <li>{@code ./sagalog ...} and {@code java ... -jar app/target/sagalog.jar ...}: the arguments are parsed by the
 *       real command line ({@link SagalogCli#commandLine()}): an unknown command, option or malformed value fails;
 *   <li>{@code mvn ...}: every module of {@code -pl} exists, every test named by {@code -Dtest}/{@code -Dit.test}
 *       exists as a test source;
 *   <li>any repository path a command names ({@code scripts/hops.py}, {@code cd app}) exists, and any
 *       {@code io.sagalog.} class it names exists as a source file;
 *   <li>{@code curl} against {@code localhost:8080} (the walk-through, which needs {@code ./sagalog dev} running):
 *       the path is one the README's HTTP API table lists.
 * </ul>
 * A command of another kind fails the test until this class is taught what to check about it.
 */
class ReadmeCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BLOCK = Pattern.compile("^```(\\S*)\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("\\bio\\.sagalog(\\.[a-z][a-z0-9]*)+\\.[A-Z]\\w*");
    private static final Pattern REPO_PATH = Pattern.compile("^(?:\\./)?(?:scripts|examples|docs|\\.ci)/[\\w./-]+$");

    @Test
    void everyReadmeBlockSaysWhatItIs() throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(ROOT.resolve("README.md")));
        int blocks = 0;
        while (m.find()) {
            blocks++;
            assertThat(m.group(1)).as("README block %d: ```sh (commands to run), ```text (output) or ```java (a "
                    + "sample), starting: %s", blocks, m.group(2).lines().findFirst().orElse(""))
                    .isIn("sh", "text", "java");
        }
        assertThat(blocks).as("fenced blocks in README.md").isGreaterThan(5);
    }

    @TestFactory
    Stream<DynamicTest> everyCommandParsesAndNamesWhatExists() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String doc : List.of("README.md", "docs/performance.md")) {
            Matcher m = BLOCK.matcher(Files.readString(ROOT.resolve(doc)));
            while (m.find()) {
                if (!m.group(1).equals("sh")) {
                    continue;
                }
                for (String command : commands(m.group(2))) {
                    tests.add(DynamicTest.dynamicTest(doc + ": " + command, () -> check(command)));
                }
            }
        }
        assertThat(tests).as("commands found").hasSizeGreaterThan(10);
        return tests.stream();
    }

    @Test
    void shouldFailWhatNoLongerParsesOrNamesWhatIsGone() {
        // The positive control first: the same checks pass a command that is right.
        check("./sagalog bench-recovery --guarantee exactly_once_v2 --transactions 10 --rounds 2");
        check("mvn -B verify -pl app -am -Dit.test=SagalogDevIntegrationTest");
        assertThatThrownBy(() -> check("./sagalog bench --workload S3 --no-such-flag 1"))
                .hasMessageContaining("--no-such-flag");
        assertThatThrownBy(() -> check("./sagalog benchmark --duration 1s")).hasMessageContaining("benchmark");
        assertThatThrownBy(() -> check("./sagalog bench-recovery --rounds many")).hasMessageContaining("many");
        // The command the README had before bench-recovery: its class is gone.
        assertThatThrownBy(() -> check("java -cp target/classes io.sagalog.app.RecoveryTimeBenchmark at_least_once"))
                .hasMessageContaining("RecoveryTimeBenchmark");
        assertThatThrownBy(() -> check("mvn -B verify -pl appp -am")).hasMessageContaining("appp");
        assertThatThrownBy(() -> check("python3 scripts/no-such-script.py")).hasMessageContaining("no-such-script");
        assertThatThrownBy(() -> check("curl -s localhost:8080/v1/no-such-route")).hasMessageContaining("no-such-route");
        assertThatThrownBy(() -> check("rm -rf .sagalog")).hasMessageContaining("does not check");
    }

    /** The commands of a block: continuation lines joined, comments dropped, {@code a && b} split. */
    static List<String> commands(String block) {
        List<String> commands = new ArrayList<>();
        for (String line : block.replace("\\\n", " ").split("\n")) {
            String code = line.strip();
            int comment = code.indexOf(" #");
            code = code.startsWith("#") ? "" : comment >= 0 ? code.substring(0, comment).strip() : code;
            for (String part : code.split("&&")) {
                if (!part.isBlank()) {
                    commands.add(part.strip());
                }
            }
        }
        return commands;
    }

    private static void check(String command) {
        List<String> words = words(command);
        String first = words.get(0);
        Matcher classes = CLASS.matcher(command);
        while (classes.find()) {
            String file = classes.group().replace('.', '/') + ".java";
            assertThat(anySource(p -> p.toString().endsWith(file))).as("class %s exists", classes.group()).isTrue();
        }
        for (String w : words) {
            if (REPO_PATH.matcher(w).matches()) {
                assertThat(ROOT.resolve(w)).as("path named by the command").exists();
            }
        }
        if (first.equals("./sagalog")) {
            parse(words.subList(1, words.size()));
        } else if (first.equals("java")) {
            int jar = words.indexOf("-jar");
            assertThat(jar).as("java runs the jar with -jar").isPositive();
            assertThat(words.get(jar + 1)).isEqualTo("app/target/sagalog.jar");
            parse(words.subList(jar + 2, words.size()));
        } else if (first.equals("mvn")) {
            checkMaven(words);
        } else if (first.equals("cd")) {
            assertThat(ROOT.resolve(words.get(1))).isDirectory();
        } else if (first.equals("curl")) {
            checkCurl(words);
        } else if (first.matches("[A-Z]+=\\$\\(awk .*") || first.equals("unzip") || first.equals("python3")) {
            // awk over the tokens file; unpacking the profiler; a script whose path is checked above
            assertThat(command).doesNotContain("target/test-classes");
        } else {
            fail("README command of a kind this test does not check yet: " + command);
        }
    }

    private static void parse(List<String> args) {
        try {
            SagalogCli.commandLine().parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            fail("sagalog " + String.join(" ", args) + ": " + e.getMessage());
        }
    }

    private static void checkMaven(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("-pl")) {
                for (String module : words.get(i + 1).split(",")) {
                    assertThat(ROOT.resolve(module).resolve("pom.xml")).as("module %s", module).exists();
                }
            }
            Matcher test = Pattern.compile("^-D(?:it\\.)?test=(\\w+Test)$").matcher(w);
            if (test.matches()) {
                String file = test.group(1) + ".java";
                assertThat(anySource(p -> p.toString().contains("/src/test/java/")
                        && p.getFileName().toString().equals(file))).as("test %s exists", test.group(1)).isTrue();
            }
        }
    }

    /** The walk-through's calls: the path (ids replaced by placeholders) is one of the README's HTTP API. */
    private static void checkCurl(List<String> words) {
        String url = words.stream().filter(w -> w.startsWith("localhost:8080/")).findFirst().orElseThrow(
                () -> new AssertionError("curl without a localhost:8080 URL: " + words));
        String path = url.substring("localhost:8080".length()).replaceAll("\\?.*", "");
        String readme;
        try {
            readme = Files.readString(ROOT.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pattern = path.replaceAll("/3b0e…", "/{txId}").replaceAll("/participants/[\\w-]+$", "/participants/{name}")
                .replaceAll("/definitions/[\\w-]+$", "/definitions/{name}");
        assertThat(readme).as("README's HTTP API lists %s", pattern).contains(pattern + "`");
    }

    /** Whether a Java source file under a module's {@code src} matches. */
    private static boolean anySource(java.util.function.Predicate<Path> matches) {
        try (Stream<Path> found = Files.walk(ROOT, 9)) {
            return found.filter(p -> p.toString().contains("/src/") && p.toString().endsWith(".java")).anyMatch(matches);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shell words: quotes removed, {@code $(...)} kept whole. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        int depth = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == ')') {
                depth += c == '(' ? 1 : -1;
                w.append(c);
            } else if (Character.isWhitespace(c) && depth == 0) {
                if (!w.isEmpty()) {
                    words.add(w.toString());
                    w.setLength(0);
                }
            } else {
                w.append(c);
            }
        }
        if (!w.isEmpty()) {
            words.add(w.toString());
        }
        return words;
    }
}
