package org.dml4j.eval;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.dml4j.data.AtomicFiles;
import org.dml4j.data.ImageList;
import org.dml4j.data.ImageTransform;
import org.dml4j.math.Rows;
import org.dml4j.retrieval.RetrievalEvaluator;
import org.dml4j.retrieval.RetrievalMetrics;
import org.dml4j.retrieval.Verification;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code eval --report DIR}: one self-contained {@code report.html} (every image embedded) with the
 * metrics table, a Recall@K curve, and a grid of queries — a sample fixed by the seed and the
 * worst by average precision — each with its five nearest neighbours as thumbnails, framed green
 * when they share the query's class and red otherwise, with class ids and cosine similarities.
 * With {@code --pairs}: {@code roc.png}, the verification ROC curve ({@link #writeRoc}).
 */
public final class Report {
    /** Queries of each kind shown in the grid. */
    static final int SAMPLED = 8;
    static final int WORST = 8;
    private static final int SHOWN = 5;
    private static final int THUMB = 96;

    private Report() {
    }

    /**
     * Writes {@code dir/report.html}.
     *
     * @param result     an all-against-all evaluation of {@code images}
     * @param embeddings [N, D], rows in {@code images} order, for the cosines shown (normalised or not)
     * @param seed       picks the sampled queries
     * @return the file written
     * @throws IOException when the file or a thumbnail cannot be written
     */
    public static Path write(Path dir, RetrievalEvaluator.Result result, INDArray embeddings, ImageList images,
                             long seed) throws IOException {
        RetrievalMetrics metrics = result.metrics();
        int n = result.queryCount();
        double[] ap = result.averagePrecisionAtR();
        SplittableRandom rng = new SplittableRandom(seed);
        LinkedHashSet<Integer> sampled = new LinkedHashSet<>();
        while (sampled.size() < Math.min(SAMPLED, n)) {
            sampled.add(rng.nextInt(n));
        }
        List<Integer> worst = IntStream.range(0, n).filter(q -> !Double.isNaN(ap[q])).boxed()
                .sorted(Comparator.<Integer>comparingDouble(q -> ap[q]).thenComparing(q -> q))
                .filter(q -> !sampled.contains(q)).limit(WORST).toList();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dml4j retrieval report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:24px;color:#222}table.metrics td,table.metrics th{")
                .append("padding:4px 12px;text-align:left}table.metrics{border-collapse:collapse}")
                .append("table.metrics tr:nth-child(even){background:#f3f3f3}.row{display:flex;gap:8px;margin:10px 0;")
                .append("align-items:flex-start}.cell{width:104px;font-size:11px;text-align:center}")
                .append(".cell img{width:96px;height:96px;object-fit:contain;background:#eee;border:4px solid #999}")
                .append(".query img{border-color:#333}.hit img{border-color:#2a2}.miss img{border-color:#d22}")
                .append("h2{margin-top:32px}</style></head><body>\n");
        html.append("<h1>Retrieval report</h1>\n<p>").append(n).append(" queries from ")
                .append(escape(images.listFile().toString())).append("; each query is compared with every other image.</p>\n");
        html.append("<table class=\"metrics\"><tr><th>metric</th><th>value</th></tr>\n");
        metrics.recallAtK().forEach((k, v) -> row(html, "Recall@" + k, v));
        row(html, "MAP@R", metrics.mapAtR());
        row(html, "R-precision", metrics.rPrecision());
        html.append("<tr><td>lone-label queries</td><td>").append(metrics.loneQueries()).append("</td></tr></table>\n");
        html.append("<h2>Recall@K</h2>\n<img class=\"curve\" alt=\"Recall@K curve\" src=\"data:image/png;base64,")
                .append(recallCurve(result)).append("\">\n");
        section(html, "Sample queries (seed " + seed + ")", "sampled", new ArrayList<>(sampled), result, embeddings,
                images, ap);
        section(html, "Worst queries by average precision at R", "worst", worst, result, embeddings, images, ap);
        html.append("</body></html>\n");
        Path file = dir.resolve("report.html");
        AtomicFiles.write(file, out -> out.write(html.toString().getBytes(StandardCharsets.UTF_8)));
        return file;
    }

    private static void row(StringBuilder html, String name, double v) {
        html.append("<tr><td>").append(name).append("</td><td>").append(Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v))
                .append("</td></tr>\n");
    }

    private static void section(StringBuilder html, String title, String kind, List<Integer> queries,
                                RetrievalEvaluator.Result result, INDArray embeddings, ImageList images, double[] ap)
            throws IOException {
        html.append("<h2>").append(escape(title)).append("</h2>\n<div class=\"grid ").append(kind).append("\">\n");
        for (int q : queries) {
            html.append("<div class=\"row\">");
            int label = result.queryLabel(q);
            cell(html, "query", images, q, "query, class " + label
                    + (Double.isNaN(ap[q]) ? "" : String.format(Locale.ROOT, ", AP@R %.2f", ap[q])));
            int[] nn = result.neighbours(q);
            INDArray query = Rows.normalized(embeddings.getRow(q, true));
            for (int i = 0; i < Math.min(SHOWN, nn.length); i++) {
                int j = nn[i];
                double cos = query.mul(Rows.normalized(embeddings.getRow(j, true))).sumNumber().doubleValue();
                cell(html, result.referenceLabel(j) == label ? "hit" : "miss", images, j,
                        String.format(Locale.ROOT, "#%d class %d, cos %.3f", i + 1, result.referenceLabel(j), cos));
            }
            html.append("</div>\n");
        }
        html.append("</div>\n");
    }

    private static void cell(StringBuilder html, String kind, ImageList images, int index, String caption)
            throws IOException {
        html.append("<div class=\"cell ").append(kind).append("\"><img alt=\"").append(escape(images.samples()
                .get(index).path())).append("\" src=\"data:image/jpeg;base64,").append(thumbnail(images.imagePath(index)))
                .append("\"><br>").append(escape(caption)).append("</div>");
    }

    /** A JPEG thumbnail (longest side 96 px) as base64. */
    static String thumbnail(Path file) {
        try (Mat img = ImageTransform.decode(file); Mat small = new Mat(); BytePointer jpeg = new BytePointer()) {
            double scale = (double) THUMB / Math.max(img.rows(), img.cols());
            try (Size size = new Size(Math.max(1, (int) Math.round(img.cols() * scale)),
                    Math.max(1, (int) Math.round(img.rows() * scale)))) {
                resize(img, small, size, 0, 0, INTER_AREA);
            }
            imencode(".jpg", small, jpeg);
            byte[] bytes = new byte[(int) jpeg.limit()];
            jpeg.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
    }

    /** Recall@K for K = 1, 2, 4, … up to the neighbours kept, as a PNG (base64). */
    static String recallCurve(RetrievalEvaluator.Result result) throws IOException {
        int kMax = result.neighboursKept();
        Map<Integer, Double> points = new TreeMap<>();
        for (int k = 1; k <= kMax; k *= 2) {
            points.put(k, result.recallAt(k));
        }
        points.put(kMax, result.recallAt(kMax));
        XYChart chart = new XYChartBuilder().width(560).height(300).title("Recall@K").xAxisTitle("K")
                .yAxisTitle("Recall").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("recall", new ArrayList<>(points.keySet()), new ArrayList<>(points.values()))
                .setMarker(SeriesMarkers.CIRCLE);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png);
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * The ROC curve of a verification run as {@code dir/roc.png}: TAR against FAR on a logarithmic
     * FAR axis (from 1e-4, or the smallest non-zero FAR), with the EER and TAR@FAR points named in
     * the title.
     *
     * @return the file written
     * @throws IOException when it cannot be written
     */
    public static Path writeRoc(Path dir, Verification.Metrics m) throws IOException {
        List<Double> far = new ArrayList<>();
        List<Double> tar = new ArrayList<>();
        for (Verification.RocPoint p : m.roc()) {
            if (p.far() > 0) {             // FAR 0 has no place on a logarithmic axis
                far.add(p.far());
                tar.add(p.tar());
            }
        }
        XYChart chart = new XYChartBuilder().width(640).height(420)
                .title(String.format(Locale.ROOT, "ROC: AUC %.4f, EER %.4f", m.auc(), m.eer())
                        + (m.foldAccuracy().length == 0 ? "" : String.format(Locale.ROOT, ", accuracy %.4f", m.accuracy())))
                .xAxisTitle("false accept rate (FAR)").yAxisTitle("true accept rate (TAR)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        if (far.isEmpty()) {
            far.add(1.0);
            tar.add(1.0);
        }
        chart.addSeries("ROC", far, tar).setMarker(SeriesMarkers.NONE);
        Files.createDirectories(dir);
        Path file = dir.resolve("roc.png");
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
        return file;
    }
}
