package dev.routellm.examples.cli;

import dev.routellm.InvalidFileException;
import dev.routellm.evaluation.Curve;
import dev.routellm.evaluation.CurvePoint;
import dev.routellm.evaluation.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws an evaluation as quality over strong-model calls, with XChart, to PNG or SVG. */
final class EvalPlot {
  private EvalPlot() {}

  /** The format a plot path asks for, by extension. */
  enum Format {
    PNG,
    SVG;

    static Format of(Path file) {
      String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
      if (name.endsWith(".png")) {
        return PNG;
      }
      if (name.endsWith(".svg")) {
        return SVG;
      }
      throw new IllegalArgumentException("--plot must name a .png or .svg file but was '" + file + "'");
    }
  }

  /** The chart: the router (1% grid and RouteLLM's 11 points), random, oracle, and the two models' levels. */
  static XYChart chart(Evaluation e) {
    XYChart chart = new XYChartBuilder()
        .width(1000)
        .height(650)
        .title(String.format(Locale.ROOT, "%s: quality vs strong-model calls, router %s (%,d questions%s)",
            e.dataset(), e.router(), e.questions(), e.folds() > 1 ? ", " + e.folds() + "-fold" : ""))
        .xAxisTitle("Strong-model calls (% of requests)")
        .yAxisTitle("Quality (" + e.unit().name() + ")")
        .build();
    XYStyler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.InsideSE);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(225, 225, 225));
    styler.setXAxisMin(0.0);
    styler.setXAxisMax(100.0);
    styler.setXAxisDecimalPattern("0");

    level(chart, "strong: " + e.strongModel(), e.strongQuality(), new Color(200, 40, 40));
    level(chart, "weak: " + e.weakModel(), e.weakQuality(), new Color(120, 120, 120));
    line(chart, "random (expected), APGR 0.500", e.random().fineGrid(), new Color(230, 140, 20), SeriesLines.DOT_DOT);
    line(chart, String.format(Locale.ROOT, "oracle (upper bound), APGR %.3f", e.oracle().fineGrid().apgr()), e.oracle().fineGrid(),
        new Color(40, 150, 60), SeriesLines.DASH_DOT);
    line(chart, String.format(Locale.ROOT, "%s, APGR %.3f", e.router(), e.metrics().apgr()), e.curves().fineGrid(),
        new Color(30, 90, 200), new BasicStroke(2.5f));
    XYSeries points = series(chart, String.format(Locale.ROOT, "%s at RouteLLM's 11 points, APGR %.3f", e.router(),
        e.routeLlmMetrics().apgr()), e.curves().routeLlm());
    points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    points.setMarker(SeriesMarkers.CIRCLE);
    points.setMarkerColor(new Color(30, 90, 200));
    return chart;
  }

  /**
   * Writes the chart, PNG or SVG by the file's extension.
   *
   * @throws InvalidFileException when the file cannot be written
   */
  static void write(Evaluation e, Path file) {
    Format format = Format.of(file);
    XYChart chart = chart(e);
    try (OutputStream out = Files.newOutputStream(file)) {
      if (format == Format.PNG) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      } else {
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    } catch (IOException ex) {
      throw InvalidFileException.of(file, "cannot be written: " + ex.getMessage(), ex);
    }
  }

  /** A horizontal line across the plot at a model's quality. */
  private static void level(XYChart chart, String name, double quality, Color color) {
    XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s (%.2f)", name, quality), new double[] {0, 100},
        new double[] {quality, quality});
    style(s, color, SeriesLines.DASH_DASH);
  }

  private static void line(XYChart chart, String name, Curve curve, Color color, BasicStroke stroke) {
    style(series(chart, name, curve), color, stroke);
  }

  private static void style(XYSeries s, Color color, BasicStroke stroke) {
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(stroke);
  }

  /** A curve's points, with the strong share in percent. */
  private static XYSeries series(XYChart chart, String name, Curve curve) {
    List<CurvePoint> points = curve.points();
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = 100 * points.get(i).strongShare();
      y[i] = points.get(i).quality();
    }
    return chart.addSeries(name, x, y);
  }
}
