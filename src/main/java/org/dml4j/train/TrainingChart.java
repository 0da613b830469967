package org.dml4j.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dml4j.data.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code training.png} beside {@code metrics.csv}: loss, learning rate, the training metric(s)
 * (acc1/acc5 or batch recall) and test Recall@1 over iterations, one XChart panel each, drawn from
 * the CSV itself so a resumed run's curves continue the earlier ones.
 */
final class TrainingChart {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 300;

    private TrainingChart() {
    }

    /** Redraws the chart for {@code csv} into {@code png} (atomically). */
    static void render(Path csv, Path png) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.size() < 2) {
            return;
        }
        String[] header = lines.get(0).split(",");
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            double[] r = new double[header.length];
            for (int i = 0; i < header.length; i++) {
                r[i] = i < f.length && !f[i].isEmpty() ? Double.parseDouble(f[i]) : Double.NaN;
            }
            rows.add(r);
        }
        List<XYChart> panels = new ArrayList<>();
        panels.add(panel("loss", rows, header, "loss"));
        panels.add(panel("learning rate", rows, header, "lr"));
        List<String> metrics = new ArrayList<>();
        for (int i = 3; i < header.length - 2; i++) {
            metrics.add(header[i]);
        }
        panels.add(panel("training " + String.join(" / ", metrics), rows, header, metrics.toArray(String[]::new)));
        panels.add(panel("test Recall@1", rows, header, "test_recall"));
        BufferedImage all = new BufferedImage(2 * WIDTH, 2 * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels.get(i)), (i % 2) * WIDTH, (i / 2) * HEIGHT, null);
        }
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(all, "png", out));
    }

    private static XYChart panel(String title, List<double[]> rows, String[] header, String... columns) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("iteration").build();
        chart.getStyler().setLegendVisible(columns.length > 1);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        boolean any = false;
        for (String column : columns) {
            int c = List.of(header).indexOf(column);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] r : rows) {
                if (c >= 0 && !Double.isNaN(r[c])) {
                    x.add(r[0]);
                    y.add(r[c]);
                }
            }
            if (!x.isEmpty()) {
                XYSeries s = chart.addSeries(column, x, y);
                s.setMarker(x.size() < 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                any = true;
            }
        }
        if (!any) {
            chart.addSeries("no data yet", List.of(0.0), List.of(0.0)).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
