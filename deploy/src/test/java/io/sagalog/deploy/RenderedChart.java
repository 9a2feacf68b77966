package io.sagalog.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart rendered by Helm itself (helm-java bundles it; no network) and parsed with fabric8's model. */
final class RenderedChart {
    /** deploy/helm/sagalog, from the module directory Maven runs tests in. */
    static final Path CHART = Path.of("helm", "sagalog").toAbsolutePath();
    static final String RELEASE = "prod";
    static final String NAMESPACE = "payments";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    final String yaml;
    final List<HasMetadata> objects;

    private RenderedChart(String yaml, List<HasMetadata> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    static LintResult lint() {
        return new Helm(CHART).lint().strict().call();
    }

    /** {@code helm template} with these values files (relative to the chart) and {@code --set} pairs. */
    static RenderedChart render(List<String> valuesFiles, Map<String, Object> set) {
        var template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        valuesFiles.forEach(f -> template.withValuesFile(CHART.resolve(f)));
        set.forEach(template::set);
        String yaml = template.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
                objects.add(YAML.unmarshal(document, HasMetadata.class));
            }
        }
        return new RenderedChart(yaml, objects);
    }

    static RenderedChart render(String... valuesFiles) {
        return render(List.of(valuesFiles), Map.of());
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in " + names()));
    }

    List<String> names() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    }

    StatefulSet engine() {
        return one(StatefulSet.class, RELEASE + "-sagalog-engine");
    }

    Optional<Deployment> ingest() {
        return all(Deployment.class).stream().filter(d -> d.getMetadata().getName().equals(RELEASE + "-sagalog-ingest"))
                .findFirst();
    }

    static PodSpec pod(HasMetadata workload) {
        if (workload instanceof StatefulSet s) {
            return s.getSpec().getTemplate().getSpec();
        }
        return ((Deployment) workload).getSpec().getTemplate().getSpec();
    }

    /**
     * The container's arguments as Kubernetes hands them to the process: {@code $(VAR)} replaced by the value
     * {@code samples} gives each variable the container declares; a reference to an undeclared one stays literal
     * (as Kubernetes leaves it), which the caller's checks then see.
     */
    static List<String> args(Container container, Map<String, String> samples) {
        List<String> declared = container.getEnv().stream().map(EnvVar::getName).toList();
        return container.getArgs().stream().map(arg -> {
            Matcher m = VAR.matcher(arg);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String value = declared.contains(name) && samples.containsKey(name) ? samples.get(name) : m.group();
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }).toList();
    }

    static String read(Path file) throws java.io.IOException {
        return Files.readString(file);
    }
}
