package dev.routellm.examples.cli;

import dev.routellm.InvalidFileException;
import dev.routellm.evaluation.CostCurve;
import dev.routellm.evaluation.CostQualityPoint;
import dev.routellm.evaluation.OperatingPoint;
import dev.routellm.evaluation.PoolEvaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws an N-model evaluation as quality over cost per 1,000 requests (log scale), with XChart, to PNG or SVG: the
 * router's settings and curve, every single model (labelled), the single-model frontier and the oracle.
 */
final class PoolPlot {
  /** Points per drawn curve. */
  static final int SAMPLES = 200;

  private PoolPlot() {}

  static XYChart chart(PoolEvaluation e) {
    PoolEvaluation.Summary s = e.summary();
    XYChart chart = new XYChartBuilder()
        .width(1100)
        .height(700)
        .title(String.format(Locale.ROOT, "%s: quality vs cost, %s (%,d questions%s; costs: %s)", e.dataset(),
            e.router(), e.questions(), e.folds() > 1 ? ", " + e.folds() + "-fold" : "", e.costBasis()))
        .xAxisTitle("Cost per " + PoolEval.PER + " requests (USD, log scale)")
        .yAxisTitle("Quality (" + e.unit().name() + ")")
        .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("0.###");

    XYSeries singles = chart.addSeries("single models", x(s.singles().stream().map(m -> m.point()).toList()),
        y(s.singles().stream().map(m -> m.point()).toList()));
    singles.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    singles.setMarker(SeriesMarkers.DIAMOND);
    singles.setMarkerColor(new Color(110, 110, 110));
    for (PoolEvaluation.SingleModel m : s.singles()) {
      chart.addAnnotation(new AnnotationText(" " + m.model(), PoolEval.PER * m.cost(), m.quality(), false));
    }
    line(chart, String.format(Locale.ROOT, "single-model frontier, area %.3f", s.frontierArea()), s.frontier(),
        s.costTo(), new Color(230, 140, 20), new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10,
            new float[] {6, 4}, 0));
    List<CostQualityPoint> settings = e.points().stream().map(OperatingPoint::point).toList();
    XYSeries raw = chart.addSeries(e.router() + " settings", x(settings), y(settings));
    raw.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    raw.setMarker(SeriesMarkers.CIRCLE);
    raw.setMarkerColor(new Color(130, 170, 230));
    line(chart, String.format(Locale.ROOT, "%s, area %.3f", e.router(), s.routerArea()), s.router(),
        s.costTo(), new Color(30, 90, 200), new BasicStroke(2.5f));
    XYSeries oracle = chart.addSeries(String.format(Locale.ROOT, "oracle (cheapest correct model), %.2f",
        s.oracle().quality()), new double[] {PoolEval.PER * s.oracle().cost()}, new double[] {s.oracle().quality()});
    oracle.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    oracle.setMarker(SeriesMarkers.TRIANGLE_UP);
    oracle.setMarkerColor(new Color(40, 150, 60));
    return chart;
  }

  static void write(PoolEvaluation e, Path file) {
    EvalPlot.Format format = EvalPlot.Format.of(file);
    XYChart chart = chart(e);
    try (OutputStream out = Files.newOutputStream(file)) {
      if (format == EvalPlot.Format.PNG) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      } else {
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    } catch (IOException ex) {
      throw InvalidFileException.of(file, "cannot be written: " + ex.getMessage(), ex);
    }
  }

  /**
   * A curve drawn as it is: straight between its vertices in dollars, so curved on the log axis (sampled at
   * {@value #SAMPLES} costs), and flat from its best point to {@code to}.
   */
  private static void line(XYChart chart, String name, CostCurve curve, double to, Color color, BasicStroke stroke) {
    double from = curve.first().cost();
    double end = Math.max(to, curve.last().cost());
    List<CostQualityPoint> points = new java.util.ArrayList<>();
    for (int i = 0; i <= SAMPLES; i++) {
      double cost = from * Math.pow(end / from, (double) i / SAMPLES);
      points.add(new CostQualityPoint(cost, curve.qualityAt(Math.max(from, Math.min(cost, end)))));
    }
    XYSeries s = chart.addSeries(name, x(points), y(points));
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(stroke);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
  }

  private static double[] x(List<CostQualityPoint> points) {
    return points.stream().mapToDouble(p -> PoolEval.PER * p.cost()).toArray();
  }

  private static double[] y(List<CostQualityPoint> points) {
    return points.stream().mapToDouble(CostQualityPoint::quality).toArray();
  }
}
