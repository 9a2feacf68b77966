package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgPlotTest {
    private static LatencyTimeline timeline(int seconds, double base) {
        List<LatencyTimeline.Point> points = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            points.add(s == 2 ? new LatencyTimeline.Point(s, 0, Double.NaN, Double.NaN, Double.NaN)
                    : new LatencyTimeline.Point(s, 100, base + s, 3 * base + s, 5 * base));
        }
        return new LatencyTimeline(points);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void isWellFormedSvgWithOnePolylinePerSeries() throws Exception {
        String svg = SvgPlot.latencyOverTime(List.of(timeline(10, 12).named("at_least_once"),
                timeline(8, 40).named("exactly_once_v2 <&> \"q\"")), "3-step saga, 16 clients & more");

        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        NodeList lines = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        assertThat(lines.getLength()).isEqualTo(4);
        List<String> series = new ArrayList<>();
        for (int i = 0; i < lines.getLength(); i++) {
            Element line = (Element) lines.item(i);
            series.add(line.getAttribute("data-series"));
            // Seconds without completions are skipped: 9 and 7 points.
            int points = line.getAttribute("points").trim().split(" ").length;
            assertThat(points).isEqualTo(i < 2 ? 9 : 7);
        }
        assertThat(series).containsExactly("at_least_once p99", "at_least_once p50",
                "exactly_once_v2 <&> \"q\" p99", "exactly_once_v2 <&> \"q\" p50");
        assertThat(svg).contains("latency (ms)").contains("(seconds)").contains("3-step saga, 16 clients &amp; more");
    }

    @Test
    void copesWithNoRunsAndEmptyTimelines() throws Exception {
        assertThat(parse(SvgPlot.latencyOverTime(List.of(), "nothing"))
                .getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength()).isZero();
        Document doc = parse(SvgPlot.latencyOverTime(List.of(new LatencyTimeline(List.of()).named("empty")), "t"));
        assertThat(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength()).isEqualTo(2);
    }

    @Test
    void stepsAreRound() {
        assertThat(SvgPlot.niceStep(0.13)).isEqualTo(0.2);
        assertThat(SvgPlot.niceStep(3)).isEqualTo(5);
        assertThat(SvgPlot.niceStep(10)).isEqualTo(10);
        assertThat(SvgPlot.niceStep(0)).isEqualTo(1);
    }
}
