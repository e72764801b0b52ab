package dev.routellm.examples.cli;

import dev.routellm.cascade.TradeOff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes a cascade's expected accuracy against its expected cost per request, over every threshold. */
final class TradeOffPlot {
  /** Costs are plotted per this many requests, so the axis reads in dollars rather than in millionths. */
  private static final double PER = 1000;

  private TradeOffPlot() {}

  /** The image format from the file's extension: "png" or "svg". */
  static String format(Path file) {
    String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
    if (name.endsWith(".png")) {
      return "png";
    }
    if (name.endsWith(".svg")) {
      return "svg";
    }
    throw new IllegalArgumentException("--plot must name a .png or .svg file but was '" + file + "'");
  }

  static void write(TradeOff tradeOff, String modelName, Path file) {
    String format = format(file);
    System.setProperty("java.awt.headless", "true");
    List<TradeOff.Row> rows = tradeOff.candidates();
    double[] cost = rows.stream().mapToDouble(r -> PER * r.costPerRequest()).toArray();
    double[] accuracy = rows.stream().mapToDouble(r -> 100 * r.accuracy()).toArray();
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(600)
            .title("Confidence cascade: accuracy vs cost (" + modelName + ")")
            .xAxisTitle("expected cost per 1,000 requests ($), weak call included")
            .yAxisTitle("expected accuracy (%)")
            .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    chart.getStyler().setXAxisDecimalPattern("0.####");
    chart.getStyler().setYAxisDecimalPattern("0.0");
    XYSeries cascade = chart.addSeries("cascade, thresholds 0 to 1", cost, accuracy);
    cascade.setMarker(SeriesMarkers.NONE);
    TradeOff.Row keepAll = tradeOff.at(0.0);
    TradeOff.Row escalateAll = tradeOff.at(1.0);
    // Escalating a random share of requests: the straight line between the two ends.
    XYSeries random =
        chart.addSeries(
            "random escalation",
            new double[] {PER * keepAll.costPerRequest(), PER * escalateAll.costPerRequest()},
            new double[] {100 * keepAll.accuracy(), 100 * escalateAll.accuracy()});
    random.setMarker(SeriesMarkers.NONE);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (format.equals("png")) {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
      } else {
        VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + file, e);
    }
  }
}
