package dev.routellm.cascade;

import dev.routellm.internal.BoundedFiles;
import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON file of a {@link ConfidenceModel}, format version {@value #VERSION}:
 *
 * <pre>{@code
 * {"format": "routellm-confidence-model", "version": 1, "type": "logprob", "name": "alamere",
 *  "method": "ols", "features": ["sum"], "intercept": 1.05021634, "coefficients": [0.01186387]}
 * }</pre>
 *
 * {@code method} is {@code ols} or {@code logistic} (with {@code intercept} and one coefficient per feature) or
 * {@code isotonic} (one feature, with {@code x}: increasing feature values and {@code y}: the non-decreasing
 * confidences at them).
 */
final class ConfidenceModelFile {
  static final String FORMAT = "routellm-confidence-model";
  static final int VERSION = 1;
  static final String TYPE_LOGPROB = "logprob";
  static final String TYPE_ANSWER_TEXT = "answer-text";

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final Set<String> HEADER = Set.of("format", "version", "type", "name");

  private ConfidenceModelFile() {}

  static ObjectMapper mapper() {
    return JSON;
  }

  static void write(LogprobConfidenceModel model, Path file) {
    Objects.requireNonNull(file, "file");
    ObjectNode root = header(TYPE_LOGPROB, model.name());
    root.put("method", model.method().key());
    ArrayNode features = root.putArray("features");
    model.features().forEach(f -> features.add(f.key()));
    putCalibrator(root, model.calibrator());
    writeTree(root, file);
  }

  static void write(AnswerConfidenceModel model, Path file) {
    Objects.requireNonNull(file, "file");
    ObjectNode root = header(TYPE_ANSWER_TEXT, model.name());
    root.put("method", CalibrationMethod.LOGISTIC.key());
    ArrayNode features = root.putArray("features");
    model.featureNames().forEach(features::add);
    ArrayNode checks = root.putArray("checks");
    model.checks().forEach(c -> checks.add(c.name()));
    putCalibrator(root, model.calibrator());
    writeTree(root, file);
  }

  static ObjectNode header(String type, String name) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("type", type);
    root.put("name", name);
    return root;
  }

  static void putCalibrator(ObjectNode root, Calibrator calibrator) {
    if (calibrator instanceof Calibrator.Linear l) {
      putLinear(root, l.intercept(), l.coefficients());
    } else if (calibrator instanceof Calibrator.Logistic l) {
      putLinear(root, l.intercept(), l.coefficients());
    } else if (calibrator instanceof Calibrator.Isotonic i) {
      ArrayNode x = root.putArray("x");
      for (double v : i.x()) {
        x.add(v);
      }
      ArrayNode y = root.putArray("y");
      for (double v : i.y()) {
        y.add(v);
      }
    }
  }

  private static void putLinear(ObjectNode root, double intercept, double[] coefficients) {
    root.put("intercept", intercept);
    ArrayNode c = root.putArray("coefficients");
    for (double v : coefficients) {
      c.add(v);
    }
  }

  static void writeTree(ObjectNode root, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write confidence model to " + file, e);
    }
  }

  static ConfidenceModel read(Path file) {
    return read(file, List.of());
  }

  /** Reads a model; {@code custom} supplies an answer-text model's checks that are not built in. */
  static ConfidenceModel read(Path file, List<AnswerCheck> custom) {
    Objects.requireNonNull(file, "file");
    JsonNode root;
    try {
      root = JSON.readTree(BoundedFiles.readAllBytes(file, BoundedFiles.MAX_JSON_BYTES, "confidence model file"));
    } catch (JacksonException e) {
      throw InvalidFileException.of(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonFields f = new JsonFields(root, problem -> InvalidFileException.of(file, problem));
    String format = f.string("format");
    if (!FORMAT.equals(format)) {
      throw f.error("field 'format' must be '" + FORMAT + "' but was '" + format + "'");
    }
    int version = f.integer("version");
    if (version != VERSION) {
      throw f.error("field 'version' is " + version + " but this library reads version " + VERSION);
    }
    String type = f.string("type");
    if (TYPE_LOGPROB.equals(type)) {
      return readLogprob(f);
    }
    if (TYPE_ANSWER_TEXT.equals(type)) {
      return readAnswerText(f, custom);
    }
    throw f.error(
        "field 'type' must be '" + TYPE_LOGPROB + "' or '" + TYPE_ANSWER_TEXT + "' but was '" + type + "'");
  }

  private static AnswerConfidenceModel readAnswerText(JsonFields f, List<AnswerCheck> custom) {
    Set<String> known = new java.util.HashSet<>(HEADER);
    known.addAll(Set.of("method", "features", "checks"));
    known.addAll(calibratorFields(CalibrationMethod.LOGISTIC));
    f.rejectUnknown(known);
    if (method(f) != CalibrationMethod.LOGISTIC) {
      throw f.error("field 'method' must be 'logistic' for an answer-text model");
    }
    List<AnswerCheck> checks = new ArrayList<>();
    List<String> names = f.strings("checks");
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      AnswerCheck check =
          name.equals(ArithmeticCheck.NAME)
              ? ArithmeticCheck.INSTANCE
              : custom.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
      if (check == null) {
        throw f.error(
            "field 'checks[" + i + "]': check '" + name + "' is not built in; supply it to"
                + " AnswerConfidenceModel.load(file, checks)");
      }
      checks.add(check);
    }
    try {
      AnswerConfidenceModel.checkChecks(checks);
    } catch (IllegalArgumentException e) {
      throw f.error("field 'checks': " + e.getMessage());
    }
    List<String> expected = AnswerFeatures.names(checks);
    List<String> features = f.strings("features");
    if (!features.equals(expected)) {
      throw f.error("field 'features' must be " + expected + " for this library's text features but was " + features);
    }
    Calibrator c = readCalibrator(f, CalibrationMethod.LOGISTIC, expected.size());
    return new AnswerConfidenceModel(f.string("name"), checks, (Calibrator.Logistic) c);
  }

  private static LogprobConfidenceModel readLogprob(JsonFields f) {
    CalibrationMethod method = method(f);
    Set<String> known = new java.util.HashSet<>(HEADER);
    known.addAll(Set.of("method", "features"));
    known.addAll(calibratorFields(method));
    f.rejectUnknown(known);
    List<LogprobFeature> features = new ArrayList<>();
    List<String> keys = f.strings("features");
    for (int i = 0; i < keys.size(); i++) {
      try {
        features.add(LogprobFeature.fromKey(keys.get(i)));
      } catch (IllegalArgumentException e) {
        throw f.error("field 'features[" + i + "]': " + e.getMessage());
      }
    }
    try {
      LogprobConfidenceModel.checkFeatures(features);
    } catch (IllegalArgumentException e) {
      throw f.error("field 'features': " + e.getMessage());
    }
    return new LogprobConfidenceModel(f.string("name"), features, readCalibrator(f, method, features.size()));
  }

  static CalibrationMethod method(JsonFields f) {
    try {
      return CalibrationMethod.fromKey(f.string("method"));
    } catch (IllegalArgumentException e) {
      throw f.error("field 'method': " + e.getMessage());
    }
  }

  static Set<String> calibratorFields(CalibrationMethod method) {
    return method == CalibrationMethod.ISOTONIC ? Set.of("x", "y") : Set.of("intercept", "coefficients");
  }

  static Calibrator readCalibrator(JsonFields f, CalibrationMethod method, int dimension) {
    if (method == CalibrationMethod.ISOTONIC) {
      if (dimension != 1) {
        throw f.error("field 'features': isotonic calibration takes exactly one feature but has " + dimension);
      }
      double[] x = f.numbers("x");
      double[] y = f.numbers("y");
      if (x.length == 0 || x.length != y.length) {
        throw f.error(
            "fields 'x' and 'y' must be non-empty and of equal length but have " + x.length + " and " + y.length);
      }
      for (int i = 0; i < x.length; i++) {
        if (i > 0 && !(x[i] > x[i - 1])) {
          throw f.error("field 'x' must be strictly increasing but x[" + i + "] = " + x[i] + " follows " + x[i - 1]);
        }
        if (i > 0 && y[i] < y[i - 1]) {
          throw f.error("field 'y' must be non-decreasing but y[" + i + "] = " + y[i] + " follows " + y[i - 1]);
        }
        if (y[i] < 0 || y[i] > 1) {
          throw f.error("field 'y[" + i + "]' must be in [0, 1] but was " + y[i]);
        }
      }
      return new Calibrator.Isotonic(x, y);
    }
    double intercept = f.number("intercept");
    double[] coefficients = f.numbers("coefficients");
    if (coefficients.length != dimension) {
      throw f.error(
          "field 'coefficients' must hold one number per feature (" + dimension + ") but holds "
              + coefficients.length);
    }
    return method == CalibrationMethod.OLS
        ? new Calibrator.Linear(intercept, coefficients)
        : new Calibrator.Logistic(intercept, coefficients);
  }
}
